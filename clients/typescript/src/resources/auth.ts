import type { RequestOptions } from '../http';
import type { AuthTokens, LoginRequest, RegisterRequest, User } from '../types';
import { Resource, dataOf } from './base';

/** `client.auth`: accounts and user sessions (JWTs), as in the official SDK. */
export class AuthAPI extends Resource {
  /** Create an account; answers the user and a session's tokens. */
  async register(data: RegisterRequest, options?: RequestOptions): Promise<{ user: User; tokens: AuthTokens }> {
    return dataOf(await this.transport.json({ method: 'POST', path: '/auth/register', body: data, skipAuth: true, options }));
  }

  /** Log in with email and password; answers the user and a session's tokens. */
  async login(data: LoginRequest, options?: RequestOptions): Promise<{ user: User; tokens: AuthTokens }> {
    return dataOf(await this.transport.json({ method: 'POST', path: '/auth/login', body: data, skipAuth: true, options }));
  }

  /** The account this client's credentials belong to. */
  async me(options?: RequestOptions): Promise<User> {
    const data = dataOf<any>(await this._get('/auth/me', undefined, options));
    return (data && typeof data === 'object' && 'user' in data && !('email' in data) ? data.user : data) as User;
  }

  /** New tokens for a refresh token (the old one is spent). */
  async refreshToken(refreshToken: string, options?: RequestOptions): Promise<AuthTokens> {
    return dataOf(
      await this.transport.json({ method: 'POST', path: '/auth/refresh', body: { refreshToken }, skipAuth: true, options }),
    );
  }

  /** End the current session (with a `refreshToken`: that session). */
  async logout(refreshToken?: string, options?: RequestOptions): Promise<void> {
    await this._post('/auth/logout', refreshToken ? { refreshToken } : undefined, options);
  }
}
