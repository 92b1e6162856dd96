# The part of a #cloud-config user-data the kvt demo guest honours, printed as tagged lines:
#   key <public key>    every item of an ssh_authorized_keys list (top level or under users:)
#   run <command>       every item of runcmd (a string as is; a list item ["a", "b c"] as 'a' 'b c')
# YAML subset: block lists (`- item`) and flow lists (`[a, b]`) of plain, 'single' or "double"
# quoted scalars. Anything else is ignored, as cloud-init modules this guest lacks would be.
function unquote(s) {
  sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s)
  if (s ~ /^".*"$/) { s = substr(s, 2, length(s) - 2); gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s); return s }
  if (s ~ /^'.*'$/) { s = substr(s, 2, length(s) - 2); gsub(/''/, "'", s); return s }
  return s
}
function quoted(s) { gsub(/'/, "'\\''", s); return "'" s "'" }
function words(s,   n, parts, i, out) { # a flow list as a shell command line, each item one quoted word
  sub(/^[ \t]*\[/, "", s); sub(/\][ \t]*$/, "", s)
  n = split(s, parts, /,[ \t]*/); out = ""
  for (i = 1; i <= n; i++) out = out (out == "" ? "" : " ") quoted(unquote(parts[i]))
  return out
}
function emit(tag, value,   n, parts, i) {
  if (tag == "key" && value ~ /^\[/) {
    sub(/^[ \t]*\[/, "", value); sub(/\][ \t]*$/, "", value)
    n = split(value, parts, /,[ \t]*/)
    for (i = 1; i <= n; i++) if (unquote(parts[i]) != "") print "key " unquote(parts[i])
  } else if (tag == "run" && value ~ /^\[/) print "run " words(value)
  else if (unquote(value) != "") print tag " " unquote(value)
}
{
  line = $0; sub(/\r$/, "", line)
  if (line ~ /^[ \t]*(#|$)/) next
  match(line, /^ */); ind = RLENGTH; body = substr(line, ind + 1)
  # A list of the open key: `- item` lines at its indent or deeper.
  if (mode != "" && body ~ /^- / && ind >= keyIndent) { emit(mode, substr(body, 3)); next }
  if (mode != "" && ind > keyIndent) next
  mode = ""
  key = body; keyAt = ind
  if (key ~ /^- /) { key = substr(key, 3); keyAt = ind + 2 }
  if (key ~ /^(ssh_authorized_keys|runcmd):/) {
    tag = key ~ /^runcmd:/ ? "run" : "key"
    rest = key; sub(/^[a-z_]+:[ \t]*/, "", rest)
    if (rest ~ /^\[/) { if (tag == "key") emit("key", rest) }
    else { mode = tag; keyIndent = keyAt }
  }
}
