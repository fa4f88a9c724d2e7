import { z } from 'zod';

/**
 * An entry of `http.allowedHosts`: `host` (its scheme's default port only), `host:port`, or
 * `*.domain` (any subdomain, default ports), `*.domain:port`. IPv6 in brackets: `[::1]:8080`.
 */
const HOST_ENTRY = /^(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/** `http`: what `$http` in actions may reach, and its limits. */
export const httpSchema = z
  .strictObject({
    allowedHosts: z
      .array(
        z
          .string()
          .regex(
            HOST_ENTRY,
            'must be a host name, "host:port", "*.domain" or "[ipv6]:port" (no scheme, no path)',
          ),
      )
      .default([]),
    /** The longest one request may take (ms), never more than the action has left. */
    timeoutMs: z.number().int().min(1).max(60000).default(10000),
    /** The largest response body accepted (bytes). */
    maxResponseBytes: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** The largest request body sent (bytes). */
    maxRequestBytes: z
      .number()
      .int()
      .min(0)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
    /** Requests one run of an action may make. */
    maxRequestsPerRun: z.number().int().min(1).max(1000).default(20),
    /** Redirects followed (each to an allowed host only). */
    maxRedirects: z.number().int().min(0).max(20).default(5),
    /**
     * Let listed host names resolve to loopback, private or link-local addresses. Off by
     * default: a listed name whose DNS answer changes to an internal address is refused. An
     * entry that is itself an IP address is always allowed its address.
     */
    allowPrivateNetworks: z.boolean().default(false),
  })
  .default({
    allowedHosts: [],
    timeoutMs: 10000,
    maxResponseBytes: 1024 * 1024,
    maxRequestBytes: 1024 * 1024,
    maxRequestsPerRun: 20,
    maxRedirects: 5,
    allowPrivateNetworks: false,
  });

const url = z
  .string()
  .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), 'must be an http(s) URL');

/** `email`: the mail the server sends and the sign-up and password-reset flows. */
export const emailSchema = z
  .strictObject({
    /** The sender of every mail, e.g. `"My App <no-reply@example.com>"`. */
    from: z.string().min(3).default('backand-server <no-reply@localhost>'),
    /**
     * The public base URL of this server, for links in mails (the verification link); default
     * the URL it listens on.
     */
    linkBaseUrl: url.optional(),
    /** Backand's "Sign-up Email Verification": new users confirm their address first. */
    signUpVerification: z.boolean().default(false),
    /** Backand's "Custom Verified Email Page": where a followed verification link leads. */
    verifiedEmailUrl: url.optional(),
    /** Backand's "Custom Password Reset URL": reset mails link to it with `?token=…`. */
    resetPasswordUrl: url.optional(),
    /** How long a verification link works (seconds). */
    verificationTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 86400)
      .default(3 * 86400),
    /** Mails one run of an action may send (`email.send`). */
    maxPerRun: z.number().int().min(0).max(100).default(5),
    /** Mails to one address in an hour, all kinds together. */
    maxPerRecipientPerHour: z.number().int().min(1).max(1000).default(10),
  })
  .default({
    from: 'backand-server <no-reply@localhost>',
    signUpVerification: false,
    verificationTtlSeconds: 3 * 86400,
    maxPerRun: 5,
    maxPerRecipientPerHour: 10,
  });

/** The validated `http` section. */
export type HttpSettings = z.output<typeof httpSchema>;
/** The validated `email` section. */
export type EmailSettings = z.output<typeof emailSchema>;
