package mqtt

import "strings"

// MatchTopic reports whether topic name matches filter with MQTT's
// wildcards ("+" one level, "#" the rest). Topics starting with "$" match
// only filters that name their first level explicitly [MQTT-4.7.2-1].
func MatchTopic(filter, topic string) bool {
	if topic == "" || filter == "" {
		return false
	}
	if topic[0] == '$' && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	for {
		f, frest, fmore := strings.Cut(filter, "/")
		if f == "#" {
			return !fmore // "#" must be the last level
		}
		t, trest, tmore := strings.Cut(topic, "/")
		if f != "+" && f != t {
			return false
		}
		if !fmore || !tmore {
			if !fmore && !tmore {
				return true
			}
			// "a/#" matches "a" as well: the parent level.
			return fmore && !tmore && frest == "#"
		}
		filter, topic = frest, trest
	}
}

// ValidFilter reports whether filter is a well-formed topic filter:
// non-empty, "#" only as a whole last level, "+" only as a whole level, no
// NUL character.
func ValidFilter(filter string) bool {
	if filter == "" || len(filter) > 65535 || strings.IndexByte(filter, 0) >= 0 {
		return false
	}
	levels := strings.Split(filter, "/")
	for i, l := range levels {
		if strings.ContainsAny(l, "+#") {
			if len(l) != 1 || (l == "#" && i != len(levels)-1) {
				return false
			}
		}
	}
	return true
}

// ValidTopic reports whether name is a topic a client may publish to: no
// wildcards, non-empty, no NUL character.
func ValidTopic(name string) bool {
	return name != "" && len(name) <= 65535 && !strings.ContainsAny(name, "+#\x00")
}
