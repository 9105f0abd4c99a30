// uvu's assert.throws takes a predicate or a RegExp, not a class; this checks the error's class and message.
import * as assert from 'uvu/assert';

export function throwsError(fn: () => unknown, type: abstract new (...args: never[]) => Error, message?: RegExp): Error {
  try {
    fn();
  } catch (e) {
    assert.instance(e, type);
    if (message) assert.match((e as Error).message, message);
    return e as Error;
  }
  assert.unreachable(`expected ${type.name} to be thrown`);
  throw new Error('unreachable');
}

export async function rejectsWith(fn: () => Promise<unknown>, type: abstract new (...args: never[]) => Error, message?: RegExp): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    assert.instance(e, type);
    if (message) assert.match((e as Error).message, message);
    return e as Error;
  }
  assert.unreachable(`expected ${type.name} to be thrown`);
  throw new Error('unreachable');
}
