module quickgo/bench

go 1.19
