Network illegal {
  Layer overlapping {
    Type: CONV
    Dimensions { K: 16, C: 4, R: 3, S: 3, Y: 10, X: 10 }
    Dataflow {
      SpatialMap(2,1) K;
      TemporalMap(1,1) C;
      TemporalMap(3,1) Y;
      TemporalMap(3,1) X;
      TemporalMap(3,3) R;
      TemporalMap(3,3) S;
    }
  }
}
