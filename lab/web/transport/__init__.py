"""How bytes reach a thousand phones: the connection cap, the packet gate, the fan-out, the phones' fast path."""
