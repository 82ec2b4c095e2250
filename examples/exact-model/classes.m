Network classes {
  Layer strided {
    Type: CONV
    Stride { X: 2, Y: 2 }
    Dimensions { K: 16, C: 4, R: 3, S: 3, Y: 17, X: 17 }
    Dataflow {
      TemporalMap(4,4) K;
      TemporalMap(4,4) C;
      SpatialMap(3,2) Y;
      TemporalMap(9,8) X;
      TemporalMap(3,3) R;
      TemporalMap(3,3) S;
      Cluster(4, P);
      SpatialMap(3,2) X;
      TemporalMap(3,3) R;
      TemporalMap(3,3) S;
    }
  }
  Layer outputs {
    Type: CONV
    Dimensions { K: 16, C: 32, R: 1, S: 1, Y: 8, X: 8 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(8,8) Y;
      TemporalMap(8,8) X;
      TemporalMap(1,1) C;
      TemporalMap(1,1) R;
      TemporalMap(1,1) S;
    }
  }
  Layer multicast {
    Type: CONV
    Dimensions { K: 8, C: 8, R: 3, S: 3, Y: 18, X: 18 }
    Dataflow {
      TemporalMap(1,1) K;
      TemporalMap(1,1) C;
      SpatialMap(3,1) Y;
      TemporalMap(3,1) X;
      TemporalMap(3,3) R;
      TemporalMap(3,3) S;
    }
  }
  Layer tiled_channels {
    Type: CONV
    Dimensions { K: 32, C: 16, R: 3, S: 3, Y: 18, X: 18 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(4,4) C;
      TemporalMap(3,3) R;
      TemporalMap(3,3) S;
      TemporalMap(6,4) Y;
      TemporalMap(6,4) X;
      Cluster(4, P);
      SpatialMap(1,1) C;
      TemporalMap(3,1) Y;
      TemporalMap(3,1) X;
      TemporalMap(3,3) R;
      TemporalMap(3,3) S;
    }
  }
}
