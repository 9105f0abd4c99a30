// Every kernel the executor and the op table know, by export name.
export { conv2d } from './conv2d';
