import { createContext, useContext } from "react";

/** The Content-Security-Policy nonce of this response's scripts (server render only; browsers hide it). */
export const NonceContext = createContext<string | undefined>(undefined);

export const useNonce = () => useContext(NonceContext);
