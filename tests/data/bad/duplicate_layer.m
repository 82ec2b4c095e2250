Network net {
  Layer conv1 {
    Type: CONV
    Dimensions { K: 64, C: 3, R: 3, S: 3, Y: 34, X: 34 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(3,3) C;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
    }
  }
  Layer conv1 {
    Type: CONV
    Dimensions { K: 64, C: 3, R: 3, S: 3, Y: 34, X: 34 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(3,3) C;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
    }
  }
}
