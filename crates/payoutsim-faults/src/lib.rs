//! payoutsim-faults: fault rules, request matching, the tower layer and scenario files
//! (skeleton; being built).
