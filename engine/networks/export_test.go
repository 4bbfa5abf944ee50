package networks

// For the tests of package networks_test, which build workspaces with
// internal/testws (that imports this package).
var (
	ReferenceDirForTest = referenceDir
	CountForTest        = count
)
