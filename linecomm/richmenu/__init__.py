"""Rich menus: the join menu followers see and the community menu members see, deployed through the
Messaging API and switched per user when a member joins or leaves."""
