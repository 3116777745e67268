"""Check-in rules, one module per concern (plain functions; nothing here commits):

windows     when an event takes check-ins, late, sign-out (pure)
codes       the rotating venue code, the static code, member codes (tokens, ages, revocation)
invitees    the invitee rule and its snapshot when the window opens
recording   one record per (event, member, kind), refusals logged as failures, flags, throttle
scanning    the paths: venue/static scan → pending → login → complete; member codes; manual; annul
attendance  status per member (出席, 迟到, 请假, 公出, 缺席, 不计入应到) and counts
setup       organisers' event settings and stewards
"""
