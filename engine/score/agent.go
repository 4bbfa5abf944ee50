package score

import (
	"strings"

	"github.com/mileusna/useragent"
)

// Tools known by the name they send. Attack tools announce themselves by
// default and nobody browses with them. Script clients are automation: an
// admin's cron job, a monitor, or a bot that did not bother to pretend —
// worth a look, not an alarm. Both lists are short on purpose: the
// user-agent parser's Bot flag covers the crawlers, and a tool that
// renames itself is caught by its rarity, not by a longer list.
var (
	attackTools = []string{"sqlmap", "nikto", "nmap", "masscan", "zgrab", "nuclei", "wpscan", "gobuster", "dirbuster",
		// vulnerability scanners that name themselves by default
		"openvas", "nessus", "acunetix", "netsparker", "w3af", "arachni", "skipfish", "whatweb", "zmeu"}
	scriptClients = []string{"curl", "wget", "python-requests", "python-urllib", "go-http-client", "libwww-perl", "powershell"}
)

// toolOf judges a user agent: 1 for an attack tool, 0.5 for a script
// client, 0.3 for what github.com/mileusna/useragent flags as a bot
// (crawlers, headless browsers), with the words that say which.
func toolOf(ua string) (float64, string) {
	lower := strings.ToLower(ua)
	for _, t := range attackTools {
		if strings.Contains(lower, t) {
			return 1, t + ": an attack tool's own user agent"
		}
	}
	for _, t := range scriptClients {
		if strings.Contains(lower, t) {
			return 0.5, t + ": a command-line client or script library"
		}
	}
	if p := useragent.Parse(ua); p.Bot {
		return 0.3, "the user-agent parser calls it a bot (" + p.Name + ")"
	}
	return 0, ""
}
