package apigatewayv2

import (
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- domain names -----------------------------------------------------------------

type domainPath struct {
	DomainName string `json:"-" location:"uri" name:"domainName"`
}

type createDomainNameInput struct {
	DomainNameSpec
	DomainName *string           `json:"domainName" required:"true"`
	Tags       map[string]string `json:"tags"`
}

func (s *Service) createDomainName(c *awsproto.Call, in *createDomainNameInput) (DomainName, error) {
	return s.store.CreateDomainName(c.Region, *in.DomainName, in.DomainNameSpec, in.Tags)
}

type listDomainNamesInput struct{ pageInput }

func (s *Service) getDomainNames(c *awsproto.Call, in *listDomainNamesInput) (listOut[DomainName], error) {
	return page(in.pageInput, s.store.DomainNames(c.Region), func(d DomainName) DomainName { return d })
}

func (s *Service) getDomainName(c *awsproto.Call, in *domainPath) (DomainName, error) {
	return s.store.DomainName(c.Region, in.DomainName)
}

type updateDomainNameInput struct {
	domainPath
	DomainNameSpec
}

func (s *Service) updateDomainName(c *awsproto.Call, in *updateDomainNameInput) (DomainName, error) {
	return s.store.UpdateDomainName(c.Region, in.DomainName, in.DomainNameSpec)
}

func (s *Service) deleteDomainName(c *awsproto.Call, in *domainPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteDomainName(c.Region, in.DomainName)
}

// --- API mappings -----------------------------------------------------------------

type mappingPath struct {
	domainPath
	APIMappingID string `json:"-" location:"uri" name:"apiMappingId"`
}

type createAPIMappingInput struct {
	domainPath
	APIID         *string `json:"apiId" required:"true"`
	APIMappingKey *string `json:"apiMappingKey"`
	Stage         *string `json:"stage" required:"true"`
}

func (s *Service) createAPIMapping(c *awsproto.Call, in *createAPIMappingInput) (APIMapping, error) {
	return s.store.CreateAPIMapping(c.Region, in.DomainName, APIMappingSpec{APIID: in.APIID, APIMappingKey: in.APIMappingKey, Stage: in.Stage})
}

type listAPIMappingsInput struct {
	domainPath
	pageInput
}

func (s *Service) getAPIMappings(c *awsproto.Call, in *listAPIMappingsInput) (listOut[APIMapping], error) {
	all, err := s.store.APIMappings(c.Region, in.DomainName)
	if err != nil {
		return listOut[APIMapping]{}, err
	}
	return page(in.pageInput, all, func(m APIMapping) APIMapping { return m })
}

func (s *Service) getAPIMapping(c *awsproto.Call, in *mappingPath) (APIMapping, error) {
	return s.store.APIMapping(c.Region, in.DomainName, in.APIMappingID)
}

type updateAPIMappingInput struct {
	mappingPath
	APIMappingSpec
}

func (s *Service) updateAPIMapping(c *awsproto.Call, in *updateAPIMappingInput) (APIMapping, error) {
	return s.store.UpdateAPIMapping(c.Region, in.DomainName, in.APIMappingID, in.APIMappingSpec)
}

func (s *Service) deleteAPIMapping(c *awsproto.Call, in *mappingPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteAPIMapping(c.Region, in.DomainName, in.APIMappingID)
}

// --- VPC links --------------------------------------------------------------------

type vpcLinkPath struct {
	VpcLinkID string `json:"-" location:"uri" name:"vpcLinkId"`
}

type createVpcLinkInput struct{ VpcLinkSpec }

func (s *Service) createVpcLink(c *awsproto.Call, in *createVpcLinkInput) (VpcLink, error) {
	return s.store.CreateVpcLink(c.Region, in.VpcLinkSpec), nil
}

type listVpcLinksInput struct{ pageInput }

func (s *Service) getVpcLinks(c *awsproto.Call, in *listVpcLinksInput) (listOut[VpcLink], error) {
	return page(in.pageInput, s.store.VpcLinks(c.Region), func(l VpcLink) VpcLink { return l })
}

func (s *Service) getVpcLink(c *awsproto.Call, in *vpcLinkPath) (VpcLink, error) {
	return s.store.VpcLink(c.Region, in.VpcLinkID)
}

type updateVpcLinkInput struct {
	vpcLinkPath
	Name *string `json:"name"`
}

func (s *Service) updateVpcLink(c *awsproto.Call, in *updateVpcLinkInput) (VpcLink, error) {
	return s.store.RenameVpcLink(c.Region, in.VpcLinkID, in.Name)
}

func (s *Service) deleteVpcLink(c *awsproto.Call, in *vpcLinkPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteVpcLink(c.Region, in.VpcLinkID)
}

// --- routing rules ----------------------------------------------------------------

type routingRulePath struct {
	domainPath
	RoutingRuleID string `json:"-" location:"uri" name:"routingRuleId"`
	DomainNameID  string `json:"-" location:"querystring" name:"domainNameId"`
}

type createRoutingRuleInput struct {
	domainPath
	DomainNameID string `json:"-" location:"querystring" name:"domainNameId"`
	RoutingRuleSpec
}

func (s *Service) createRoutingRule(c *awsproto.Call, in *createRoutingRuleInput) (RoutingRule, error) {
	return s.store.PutRoutingRule(c.Region, in.DomainName, "", in.RoutingRuleSpec)
}

type putRoutingRuleInput struct {
	routingRulePath
	RoutingRuleSpec
}

func (s *Service) putRoutingRule(c *awsproto.Call, in *putRoutingRuleInput) (RoutingRule, error) {
	return s.store.PutRoutingRule(c.Region, in.DomainName, in.RoutingRuleID, in.RoutingRuleSpec)
}

func (s *Service) getRoutingRule(c *awsproto.Call, in *routingRulePath) (RoutingRule, error) {
	return s.store.RoutingRule(c.Region, in.DomainName, in.RoutingRuleID)
}

func (s *Service) deleteRoutingRule(c *awsproto.Call, in *routingRulePath) (struct{}, error) {
	return struct{}{}, s.store.DeleteRoutingRule(c.Region, in.DomainName, in.RoutingRuleID)
}

type listRoutingRulesInput struct {
	domainPath
	DomainNameID string `json:"-" location:"querystring" name:"domainNameId"`
	MaxResults   *int   `json:"-" location:"querystring" name:"maxResults" min:"1" max:"100"`
	NextToken    string `json:"-" location:"querystring" name:"nextToken"`
}

type routingRulesOut struct {
	NextToken    string        `json:"nextToken,omitempty"`
	RoutingRules []RoutingRule `json:"routingRules"`
}

func (s *Service) listRoutingRules(c *awsproto.Call, in *listRoutingRulesInput) (routingRulesOut, error) {
	all, err := s.store.RoutingRules(c.Region, in.DomainName)
	if err != nil {
		return routingRulesOut{}, err
	}
	p := pageInput{NextToken: in.NextToken}
	if in.MaxResults != nil {
		p.MaxResults = strconv.Itoa(*in.MaxResults)
	}
	out, err := page(p, all, func(r RoutingRule) RoutingRule { return r })
	return routingRulesOut{NextToken: out.NextToken, RoutingRules: out.Items}, err
}
