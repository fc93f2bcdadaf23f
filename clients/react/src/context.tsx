import { createContext, useContext, type ReactNode } from 'react';
import type { ChatRoutesClient } from '@chatroutes/sdk';

const ClientContext = createContext<ChatRoutesClient | null>(null);

export interface ChatRoutesProviderProps {
  client: ChatRoutesClient;
  children?: ReactNode;
}

/** Makes `client` the one every hook below uses unless given another. */
export function ChatRoutesProvider({ client, children }: ChatRoutesProviderProps) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The client given explicitly, else the provider's; throws when there is neither. */
export function useChatRoutesClient(explicit?: ChatRoutesClient): ChatRoutesClient {
  const provided = useContext(ClientContext);
  const client = explicit ?? provided;
  if (!client) {
    throw new Error(
      'No ChatRoutes client: wrap the component in <ChatRoutesProvider client={...}> or pass { client }',
    );
  }
  return client;
}
