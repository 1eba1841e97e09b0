// Package mqtt is groundstack's embedded MQTT broker (mochi-mqtt underneath):
// MQTT 3.1.1 and 5 over TCP on loopback and over WebSockets through an
// http.Handler, with generated credentials, topic ACLs and a hook for code
// that must see every published message (IoT topic rules). It imports
// nothing of groundstack: the emulator wires it in.
package mqtt
