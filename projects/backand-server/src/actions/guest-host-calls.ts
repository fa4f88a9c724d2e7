/**
 * The JavaScript that sets up the globals backed by host calls inside an action's QuickJS
 * context: `$http` (Backand's call shape, synchronous), `email.send` and `files.upload` /
 * `files.delete`. It is a function of the host's `hostCall(kind, payloadJson) → resultJson`,
 * evaluated after the guest prelude. Like the prelude, it keeps the built-ins it needs at set-up, so an action that replaces `JSON` changes
 * only its own calls' arguments, never how answers are read.
 */
export const GUEST_HOST_CALLS = String.raw`(function (hostCall) {
  'use strict';
  var stringify = JSON.stringify;
  var parse = JSON.parse;
  var Failure = Error;
  var keys = Object.keys;

  function call(kind, args) {
    var json;
    try {
      json = stringify(args === undefined ? null : args);
    } catch (e) {
      throw new Failure(kind + ': the arguments cannot be sent as JSON (' + e.message + ')');
    }
    var answer = parse(hostCall(kind, json));
    if (answer.ok) return answer;
    var error = new Failure(answer.message);
    var extra = keys(answer);
    for (var i = 0; i < extra.length; i++) {
      if (extra[i] !== 'ok' && extra[i] !== 'message') error[extra[i]] = answer[extra[i]];
    }
    throw error;
  }

  /** $http({method, url, headers, data, params}) → the response's data (parsed JSON or text). */
  function http(config) {
    return call('http', config).data;
  }
  function shortcut(method, withData) {
    return function (url, a, b) {
      var config = (withData ? b : a) || {};
      var copy = {};
      var names = keys(config);
      for (var i = 0; i < names.length; i++) copy[names[i]] = config[names[i]];
      copy.method = method;
      copy.url = url;
      if (withData) copy.data = a;
      return http(copy);
    };
  }
  http.get = shortcut('GET', false);
  http['delete'] = shortcut('DELETE', false);
  http.head = shortcut('HEAD', false);
  http.post = shortcut('POST', true);
  http.put = shortcut('PUT', true);
  http.patch = shortcut('PATCH', true);
  globalThis.$http = http;

  globalThis.email = {
    /** send({to, cc, bcc, from, subject, text, html | message}) → {messageId, accepted}. */
    send: function (message) {
      var answer = call('email', message);
      return { messageId: answer.messageId, accepted: answer.accepted };
    },
  };

  globalThis.files = {
    /** upload(filename, filedata: base64 or data URL) → the file's URL. */
    upload: function upload(filename, filedata) {
      return call('files.upload', { filename: filename, filedata: filedata }).url;
    },
    /** delete(filename): removes the object's file. */
    'delete': function (filename) {
      call('files.delete', { filename: filename });
    },
  };
})`;
