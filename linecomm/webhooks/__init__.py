"""LINE webhook: signature check, durable inbox, event dispatch."""
