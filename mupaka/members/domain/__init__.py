"""Pure rules about members: no Django, no clock (dates are passed in)."""
