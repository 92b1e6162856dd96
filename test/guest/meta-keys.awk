# The public keys of cloud-init meta-data, one per line, as KubeVirt writes them for
# accessCredentials: NoCloud meta-data (YAML) `public-keys:` as a map of "0": "key" or a list, and
# ConfigDrive meta_data.json `"public_keys": {"0": "key", …}`. JSON string escapes \n \" \\ are read.
function unescape(s,   out, c) {
  out = ""
  while (s != "") {
    c = substr(s, 1, 1)
    if (c == "\\") { c = substr(s, 2, 1); out = out (c == "n" ? "\n" : c); s = substr(s, 3) }
    else { out = out c; s = substr(s, 2) }
  }
  return out
}
function value(s) {
  sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s)
  if (s ~ /^".*"$/) return unescape(substr(s, 2, length(s) - 2))
  if (s ~ /^'.*'$/) { s = substr(s, 2, length(s) - 2); gsub(/''/, "'", s) }
  return s
}
function out(v,   n, lines, i) { n = split(v, lines, "\n"); for (i = 1; i <= n; i++) if (lines[i] != "") print lines[i] }
{ text = text $0 "\n" }
END {
  if (text ~ /^[ \t\n]*\{/) { # ConfigDrive JSON
    if (!match(text, /"public_keys"[ \t\n]*:[ \t\n]*\{[^}]*\}/)) exit
    map = substr(text, RSTART, RLENGTH); sub(/^"public_keys"[^{]*\{/, "", map)
    while (match(map, /"[^"]*"[ \t\n]*:[ \t\n]*"([^"\\]|\\.)*"/)) {
      pair = substr(map, RSTART, RLENGTH); map = substr(map, RSTART + RLENGTH)
      sub(/^"[^"]*"[ \t\n]*:[ \t\n]*/, "", pair)
      out(value(pair))
    }
    exit
  }
  n = split(text, lines, "\n"); inside = 0
  for (i = 1; i <= n; i++) {
    line = lines[i]
    if (line ~ /^public-keys:/) { inside = 1; rest = line; sub(/^public-keys:[ \t]*/, "", rest); if (rest != "") { out(value(rest)); inside = 0 } continue }
    if (!inside) continue
    if (line !~ /^[ \t]/ && line != "") { inside = 0; continue }
    if (line ~ /^[ \t]+- /) { sub(/^[ \t]+- /, "", line); out(value(line)); continue }
    if (match(line, /^[ \t]+("[^"]*"|'[^']*'|[^:]*):[ \t]/)) out(value(substr(line, RSTART + RLENGTH)))
  }
}
