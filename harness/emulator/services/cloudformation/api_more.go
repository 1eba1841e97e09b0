package cloudformation

// registerMore registers the operations of the stack sets, the type
// registry, generated templates and resource scans.
func (s *Service) registerMore() {
}
