// The package's ES module bundle (its dist/index.js refers to a file the package does not ship); same API.
declare module '@tensorflow/tfjs-tflite/dist/tf-tflite.fesm.js' {
  export * from '@tensorflow/tfjs-tflite';
}
