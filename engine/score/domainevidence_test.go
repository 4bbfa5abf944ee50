package score

import "testing"

// A domain's evidence kept in brief (domainEvidence) comes back as it
// was: its strength, its signal, its words.
func TestDomainEvidenceKeepsStrengthAndWords(t *testing.T) {
	lazy := evidence{signal: SigTunnel, strength: 0.7, lazy: func() string { return "1,843 unique subdomains" }}
	got := domainEvidenceOf(lazy).of(SigTunnel)
	if got.signal != SigTunnel || got.strength != 0.7 || got.why != "" || got.lazy() != "1,843 unique subdomains" {
		t.Errorf("lazy evidence came back as %+v", got)
	}
	written := evidence{signal: SigDGA, strength: 0.4, why: "label \"xkqz\""}
	if got := domainEvidenceOf(written).of(SigDGA); got.strength != 0.4 || got.lazy == nil || got.lazy() != written.why {
		t.Errorf("evidence with its words written came back as %+v", got)
	}
	if got := domainEvidenceOf(evidence{signal: SigAnswers}).of(SigAnswers); got.strength != 0 || len(trimZero([]evidence{got})) != 0 {
		t.Errorf("no evidence came back as %+v", got)
	}
}
