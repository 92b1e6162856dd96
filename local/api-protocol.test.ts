import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/errors.js';
import { fromWireError, parseRequest, parseResponse, toWireError } from './api-protocol.js';

const line = (value: unknown): string => JSON.stringify(value);

describe('parseRequest', () => {
  const pause = { resource: 'virtualmachineinstances', namespace: 'default', name: 'v', subresource: 'pause' };
  it.each<[string, string, unknown]>([
    ['a get', line({ id: 1, method: 'get', params: [{ apiVersion: 'v1', kind: 'Pod' }, 'default', 'p'] }), { id: 1, method: 'get', params: [{ apiVersion: 'v1', kind: 'Pod' }, 'default', 'p'] }],
    ['an unwatch', line({ id: 2, method: 'unwatch', params: [1] }), { id: 2, method: 'unwatch', params: [1] }],
    ['a subresource call', line({ id: 3, method: 'subresource', params: [pause] }), { id: 3, method: 'subresource', params: [pause] }],
    ['not JSON', 'not json', { id: -1, error: 'not a JSON object' }],
    ['an array', '[]', { id: -1, error: 'not a JSON object' }],
    ['no id', line({ method: 'get', params: [] }), { id: -1, error: 'missing "id" (an integer)' }],
    ['a fractional id', line({ id: 1.5, method: 'get', params: [] }), { id: -1, error: 'missing "id" (an integer)' }],
    ['an unknown method (the call fails by its id)', line({ id: 4, method: 'exec', params: [] }), { id: 4, error: 'unknown method "exec"' }],
    ['params not an array', line({ id: 5, method: 'get', params: {} }), { id: 5, error: '"params" must be an array' }],
    ['a subresource call without its request', line({ id: 6, method: 'subresource', params: [] }), { id: 6, error: '"params" of subresource must be [request]' }],
    ['a subresource call of an unknown subresource', line({ id: 7, method: 'subresource', params: [{ ...pause, subresource: 'freeze' }] }), { id: 7, error: '"subresource" of virtualmachineinstances must be one of pause, unpause' }],
  ])('%s', (_name, text, expected) => {
    expect(parseRequest(text)).toEqual(expected);
  });
});

describe('parseResponse', () => {
  const error = { status: 409, reason: 'Conflict', message: 'the object has been modified' };
  it.each<[string, string, unknown]>([
    ['a result', line({ id: 1, result: { a: 1 } }), { id: 1, result: { a: 1 } }],
    ['a null result', line({ id: 1, result: null }), { id: 1, result: null }],
    ['an error', line({ id: 1, error }), { id: 1, error }],
    ['an error with causes', line({ id: 1, error: { ...error, causes: [{ type: 'FieldValueInvalid', field: 'spec', message: 'bad' }] } }), { id: 1, error: { ...error, causes: [{ type: 'FieldValueInvalid', field: 'spec', message: 'bad' }] } }],
    ['an event', line({ id: 3, event: { type: 'ADDED' } }), { id: 3, event: { type: 'ADDED' } }],
    ['a clean done', line({ id: 3, done: null }), { id: 3, done: null }],
    ['a done with an error', line({ id: 3, done: { status: 410, reason: 'Gone', message: 'too old' } }), { id: 3, done: { status: 410, reason: 'Gone', message: 'too old' } }],
    ['the answer to an unreadable request', line({ id: -1, error: { status: 400, reason: 'BadRequest', message: 'not a JSON object' } }), { id: -1, error: { status: 400, reason: 'BadRequest', message: 'not a JSON object' } }],
    ['not JSON', '{"id":', 'not a JSON object'],
    ['a string id', line({ id: '1', result: null }), 'missing "id" (an integer)'],
    ['nothing but an id', line({ id: 1 }), 'one of "result", "error", "event" or "done" is required'],
    ['an error without status', line({ id: 1, error: { reason: 'Conflict', message: 'x' } }), '"error" must have a numeric status, a reason, a message and well-formed causes'],
    ['an error with bad causes', line({ id: 1, error: { ...error, causes: [{ field: 1 }] } }), '"error" must have a numeric status, a reason, a message and well-formed causes'],
    ['a done that is a string', line({ id: 1, done: 'yes' }), '"done" must be null or an error'],
  ])('%s', (_name, text, expected) => {
    expect(parseResponse(text)).toEqual(expected);
  });
});

describe('wire errors', () => {
  it('carry an ApiError across unchanged; anything else is a 500', () => {
    const e = new ApiError(422, 'Invalid', 'spec.x: bad', { causes: [{ type: 'FieldValueInvalid', field: 'spec.x', message: 'bad' }] });
    const back = fromWireError(JSON.parse(JSON.stringify(toWireError(e))) as ReturnType<typeof toWireError>);
    expect(back).toBeInstanceOf(ApiError);
    expect(back).toMatchObject({ status: 422, reason: 'Invalid', message: 'spec.x: bad', causes: e.causes });
    expect(toWireError(new Error('boom'))).toEqual({ status: 500, reason: 'InternalError', message: 'boom' });
  });
});
