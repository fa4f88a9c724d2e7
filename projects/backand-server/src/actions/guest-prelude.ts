/**
 * The JavaScript that sets up an action's globals inside its QuickJS context, evaluated before
 * the action's code. It is a function of the host's `log(level, text)`, and returns the hooks
 * the worker drives a run with: `start(argsJson, name)`, `finish(wantResult)`, `input()`,
 * `emits()` and `describe(thrown)`. The hooks stay in the closure, out of the
 * action's reach; they keep what they need from the built-ins at set-up, so an action that
 * replaces `JSON` or a prototype changes its own output at most, never the wire format of the
 * emits. Everything that leaves the sandbox is a string made here, under the run's deadline.
 */
export const GUEST_PRELUDE = String.raw`(function (hostLog) {
  'use strict';
  var stringify = JSON.stringify;
  var parse = JSON.parse;
  var isArray = Array.isArray;
  var toText = String;
  var Failure = Error;
  var emitted = [];
  var name = 'action';
  var args;
  var outcome;
  var own;

  /** An error of the sandbox itself, with a reason for the 417 body. */
  function fail(message, cause) {
    var error = new Failure(message);
    own = { error: error, reason: cause === undefined ? undefined : messageOf(cause) };
    return error;
  }
  function messageOf(e) {
    try {
      if (e && typeof e.message === 'string') return e.message;
      if (typeof e === 'string') return e;
      return toText(e);
    } catch (x) {
      return 'unknown error';
    }
  }
  function lineOf(values) {
    var text = '';
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      var part;
      if (typeof v === 'string') part = v;
      else {
        try {
          part = stringify(v);
        } catch (x) {
          part = undefined;
        }
        if (part === undefined) part = toText(v);
      }
      text += (i ? ' ' : '') + part;
    }
    return text;
  }
  function logger(level) {
    return function () {
      hostLog(level, lineOf(arguments));
    };
  }
  function eventName(event) {
    if (typeof event !== 'string' || event === '') {
      throw new Failure('socket emit needs an event name (a non-empty string)');
    }
    return event;
  }
  function dataJson(event, data) {
    try {
      return stringify(data);
    } catch (e) {
      throw new Failure(
        'socket emit "' + event + '": the data cannot be sent as JSON (' + messageOf(e) + ')',
      );
    }
  }
  /** Queues one emit as JSON text: strings only go through stringify, which nothing can hook. */
  function queue(kind, event, json, extra) {
    emitted[emitted.length] =
      '{"kind":"' + kind + '","event":' + stringify(event) +
      (json === undefined ? '' : ',"data":' + stringify(json)) + extra + '}';
  }

  globalThis.socket = {
    emitAll: function (event, data) {
      var n = eventName(event);
      queue('all', n, dataJson(n, data), '');
    },
    emitRole: function (event, data, role) {
      var n = eventName(event);
      var json = dataJson(n, data);
      queue('role', n, json, ',"role":' + stringify(toText(role)));
    },
    emitUsers: function (event, data, users) {
      var list = isArray(users) ? users : users === undefined || users === null ? [] : [users];
      var names = '';
      for (var i = 0; i < list.length; i++) names += (i ? ',' : '') + stringify(toText(list[i]));
      var n = eventName(event);
      queue('users', n, dataJson(n, data), ',"users":[' + names + ']');
    },
  };
  globalThis.console = {
    log: logger('info'),
    info: logger('info'),
    warn: logger('warn'),
    error: logger('error'),
  };

  return {
    /** Calls backandCallback; a returned thenable is followed as the promise jobs run. */
    start: function (argsJson, actionName) {
      name = actionName;
      args = parse(argsJson);
      if (typeof backandCallback !== 'function') {
        throw fail('action "' + name + '" does not define function backandCallback');
      }
      var r = backandCallback(args.userInput, args.dbRow, args.parameters, args.userProfile);
      if (r && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') {
        r.then(
          function (v) {
            outcome = outcome || { ok: true, value: v };
          },
          function (e) {
            outcome = outcome || { ok: false, value: e };
          },
        );
      } else {
        outcome = { ok: true, value: r };
      }
    },
    /** The outcome once the jobs have run: the result's JSON text, or the action's error. */
    finish: function (wantResult) {
      // Nothing could settle it later: there are no timers and no I/O in here.
      if (!outcome) throw fail('action "' + name + '" returned a promise that never settles');
      if (!outcome.ok) throw outcome.value;
      if (!wantResult) return undefined;
      try {
        return stringify(outcome.value);
      } catch (e) {
        throw fail('action "' + name + '" returned a value that cannot be sent as JSON', e);
      }
    },
    /** userInput as the action left it, as JSON text. */
    input: function () {
      try {
        return stringify(args.userInput);
      } catch (e) {
        throw fail('action "' + name + '" left a userInput that cannot be sent as JSON', e);
      }
    },
    /** The queued emits as a JSON array. */
    emits: function () {
      var text = '[';
      for (var i = 0; i < emitted.length; i++) text += (i ? ',' : '') + emitted[i];
      return text + ']';
    },
    /** [message, reason] of a thrown value as JSON; message null when it has none. */
    describe: function (e) {
      var message = null;
      var reason;
      if (own && e === own.error) {
        message = own.error.message;
        reason = own.reason;
      } else {
        try {
          if (e && typeof e.message === 'string') message = e.message;
          else if (typeof e === 'string') message = e;
        } catch (x) {
          message = null;
        }
      }
      return '[' + stringify(message) + ',' + (reason === undefined ? 'null' : stringify(reason)) + ']';
    },
  };
})`;
