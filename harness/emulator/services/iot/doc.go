// Package iot is AWS IoT Core's control plane (things, endpoints, topic
// rules) and its rules engine: every message the embedded MQTT broker
// accepts runs the matching rules' actions through in-process links. It
// must not import other services' packages.
package iot
