// Package newcomer is the scripted walk of a newcomer's first hour: its
// test builds the CLI, starts `groundstack up --flows all` as someone on a
// fresh machine would (an empty HOME, no AWS_* variables), runs every
// command `up` prints and every README example exactly as written, and
// checks that each exits 0 with the output the README or `up` promises.
// It has no code of its own; a walk that fails is a dead end a user hits.
package newcomer
