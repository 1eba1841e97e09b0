// Package iotdata is AWS IoT Core's data plane (iot-data): Publish maps to
// the embedded MQTT broker, retained messages are read back from it, and
// /mqtt serves MQTT over WebSockets on the edge. It must not import other
// services' packages.
package iotdata
