module www.velocidex.com/golang/evtx

go 1.21

require (
	github.com/Velocidex/ordereddict v0.0.0-20210502082334-cf5d9045c0d1
	github.com/pkg/errors v0.8.1
)
