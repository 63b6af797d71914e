"""daqiao's bot: transports, dispatcher, handlers and the composition root."""
