package apigatewayv2

// HasAPI reports whether id is one of this account's APIs (for the
// emulator to find the account of an unsigned invocation).
func (s *Service) HasAPI(id string) bool {
	_, err := s.store.API(id)
	return err == nil
}
