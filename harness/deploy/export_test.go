package deploy

// RestAPIURLsForTest exposes the URL computation to the external tests.
var RestAPIURLsForTest = restAPIURLs
