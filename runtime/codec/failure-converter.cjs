// The failure converter of every townhall worker and client, loaded by the Temporal SDK with
// require() on the worker and bundled into the workflow sandbox (hence CommonJS, not TypeScript).
// encodeCommonAttributes moves each failure's message and stack trace into a payload, which the
// payload codec then encrypts: an activity error that quotes a member's email or message reaches
// Temporal's history as ciphertext, not as a readable "message".
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
