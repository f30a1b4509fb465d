"""Theme posts and pushes: segments, schedules, the cost and courtesy guards, and the delivery engine."""
