package cloudformation

import "github.com/groundstack/groundstack/harness/emulator/awsproto"

// registerMore registers the operations of the type registry, stack sets,
// generated templates and resource scans.
func (s *Service) registerMore() {
	s.reg.reset()
	s.api.Register(
		awsproto.Handle("RegisterType", s.registerType),
		awsproto.Handle("DescribeTypeRegistration", s.describeTypeRegistration),
		awsproto.Handle("ListTypeRegistrations", s.listTypeRegistrations),
		awsproto.Handle("DescribeType", s.describeType),
		awsproto.Handle("ListTypes", s.listTypes),
		awsproto.Handle("ListTypeVersions", s.listTypeVersions),
		awsproto.Handle("DeregisterType", s.deregisterType),
		awsproto.Handle("SetTypeDefaultVersion", s.setTypeDefaultVersion),
		awsproto.Handle("ActivateType", s.activateType),
		awsproto.Handle("DeactivateType", s.deactivateType),
		awsproto.Handle("SetTypeConfiguration", s.setTypeConfiguration),
		awsproto.Handle("BatchDescribeTypeConfigurations", s.batchDescribeTypeConfigurations),
		awsproto.Handle("PublishType", s.publishType),
		awsproto.Handle("TestType", s.testType),
		awsproto.Handle("RegisterPublisher", s.registerPublisher),
		awsproto.Handle("DescribePublisher", s.describePublisher),
		awsproto.Handle("CreateStackSet", s.createStackSet),
		awsproto.Handle("DescribeStackSet", s.describeStackSet),
		awsproto.Handle("UpdateStackSet", s.updateStackSet),
		awsproto.Handle("DeleteStackSet", s.deleteStackSet),
		awsproto.Handle("ListStackSets", s.listStackSets),
		awsproto.Handle("CreateStackInstances", s.createStackInstances),
		awsproto.Handle("UpdateStackInstances", s.updateStackInstances),
		awsproto.Handle("DeleteStackInstances", s.deleteStackInstances),
		awsproto.Handle("DescribeStackInstance", s.describeStackInstance),
		awsproto.Handle("ListStackInstances", s.listStackInstances),
		awsproto.Handle("ListStackSetOperations", s.listStackSetOperations),
		awsproto.Handle("DescribeStackSetOperation", s.describeStackSetOperation),
		awsproto.Handle("ListStackSetOperationResults", s.listStackSetOperationResults),
		awsproto.Handle("StopStackSetOperation", s.stopStackSetOperation),
		awsproto.Handle("ListStackSetAutoDeploymentTargets", s.listStackSetAutoDeploymentTargets),
		awsproto.Handle("DescribeOrganizationsAccess", s.describeOrganizationsAccess),
		awsproto.Handle("ActivateOrganizationsAccess", s.activateOrganizationsAccess),
		awsproto.Handle("DeactivateOrganizationsAccess", s.deactivateOrganizationsAccess),
		awsproto.Handle("DetectStackSetDrift", s.detectStackSetDrift),
		awsproto.Handle("ListStackInstanceResourceDrifts", s.listStackInstanceResourceDrifts),
		awsproto.Handle("ImportStacksToStackSet", s.importStacksToStackSet),
	)
}
