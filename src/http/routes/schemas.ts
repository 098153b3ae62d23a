/** @module Request schemas shared by several routes. */
import { z } from '@hono/zod-openapi';
import { maxPasswordLength, minPasswordLength } from '../../auth/passwords.js';

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'username: 1-64 letters, digits, dot, dash or underscore')
  .openapi({ example: 'admin' });

export const newPasswordSchema = z
  .string()
  .min(minPasswordLength, `password must be at least ${minPasswordLength} characters`)
  .max(maxPasswordLength, `password must be at most ${maxPasswordLength} characters`)
  .openapi({ format: 'password' });

/** Login accepts any length, so an old short password still gets a clear "wrong password" rather than a policy error. */
export const anyPasswordSchema = z.string().min(1).max(maxPasswordLength).openapi({ format: 'password' });

export const totpCodeSchema = z.string().regex(/^\d{6}$/, 'code must be 6 digits');
