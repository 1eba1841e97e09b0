package iam

import "golang.org/x/crypto/bcrypt"

// Tests hash passwords at bcrypt's minimum cost: the default takes seconds
// under the race detector, and the rules under test do not depend on it.
func init() { passwordCost = bcrypt.MinCost }
