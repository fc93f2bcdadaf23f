import { inject, provide, type App, type InjectionKey } from 'vue';
import type { ChatRoutesClient } from '@chatroutes/sdk';

/** The injection key under which the client is provided. */
export const ChatRoutesClientKey: InjectionKey<ChatRoutesClient> = Symbol('ChatRoutesClient');

export interface ChatRoutesPluginOptions {
  client: ChatRoutesClient;
}

/** `app.use(ChatRoutesPlugin, { client })`: every composable of the app uses `client`. */
export const ChatRoutesPlugin = {
  install(app: App, options: ChatRoutesPluginOptions): void {
    app.provide(ChatRoutesClientKey, options.client);
  },
};

/** Provide `client` to the descendants of the calling component (inside `setup`). */
export function provideChatRoutes(client: ChatRoutesClient): void {
  provide(ChatRoutesClientKey, client);
}

/** The client given explicitly, else the injected one; throws when there is neither. */
export function useChatRoutesClient(explicit?: ChatRoutesClient): ChatRoutesClient {
  const client = explicit ?? inject(ChatRoutesClientKey, null);
  if (!client) {
    throw new Error(
      'No ChatRoutes client: app.use(ChatRoutesPlugin, { client }), provideChatRoutes(client) or pass { client }',
    );
  }
  return client;
}
