using EvalHarness.Engine;
using EvalHarness.Metrics.Localization;

namespace EvalHarness.Metrics.Tests;

/// <summary>Pointing game and energy pointing game on hand-placed maps and boxes (40×40 input, target class 3).</summary>
public class LocalizationTests
{
    private const int H = 40, W = 40, Target = 3;

    private static MetricContext Context(Tensor maps, IReadOnlyList<IReadOnlyList<BoundingBox>>? boxes, IReadOnlyList<IReadOnlyList<ObjectMask>>? masks = null, int[]? targets = null) => new()
    {
        Graph = TestNets.PixelLinear(new float[H * W]),
        Images = new Tensor(maps.N, 1, H, W),
        Targets = targets ?? Enumerable.Repeat(Target, maps.N).ToArray(),
        Maps = maps,
        Boxes = boxes,
        Masks = masks,
    };

    private static Tensor Peak(int y, int x)
    {
        var m = new Tensor(1, H, W);
        m[0, y, x] = 1;
        return m;
    }

    private static double Hit(int y, int x, double tolerance, params BoundingBox[] boxes) =>
        new PointingGame(tolerance).Evaluate(Context(Peak(y, x), [boxes])).Values("hit")[0];

    private static readonly BoundingBox Box = new(Target, 10, 10, 20, 20); // columns 10..19, rows 10..19

    [Fact]
    public void A_peak_inside_the_box_hits()
    {
        Assert.Equal(1, Hit(15, 15, 15, Box));
        Assert.Equal(1, Hit(10, 10, 15, Box));
        Assert.Equal(1, Hit(19, 19, 0, Box)); // inside the box always hits, even with tolerance 0
    }

    [Fact]
    public void Distance_exactly_the_tolerance_is_a_miss_and_just_below_a_hit()
    {
        // nearest box column is 19: x = 34 is 15 away, x = 33 is 14 away
        Assert.Equal(0, Hit(15, 34, 15, Box));
        Assert.Equal(1, Hit(15, 33, 15, Box));
        Assert.Equal(1, Hit(15, 34, 15 + 1e-9, Box));
        // diagonal: (22, 23) is (3, 4) from the corner (19, 19): distance 5
        Assert.Equal(0, Hit(22, 23, 5, Box));
        Assert.Equal(1, Hit(22, 23, 5.000001, Box));
        // above and left of the box: (2, 4) is (8, 6) from (10, 10): distance 10
        Assert.Equal(0, Hit(2, 4, 10, Box));
        Assert.Equal(1, Hit(2, 4, 10.0001, Box));
    }

    [Fact]
    public void The_far_border_of_a_box_is_exclusive()
    {
        // X1 = 20 is outside: column 20 is one pixel from column 19
        Assert.Equal(0, Hit(15, 20, 1, Box));
        Assert.Equal(1, Hit(15, 19, 1, Box));
        Assert.Equal(0, Hit(20, 15, 1, Box));
        Assert.Equal(1, Hit(20, 15, 1.5, Box));
        // X0 = 10 is inside: column 9 is one pixel away
        Assert.Equal(0, Hit(15, 9, 1, Box));
        Assert.Equal(1, Hit(15, 10, 1, Box));
    }

    [Fact]
    public void Rows_are_y_and_columns_are_x()
    {
        var wide = new BoundingBox(Target, 0, 30, 40, 35); // every column, rows 30..34
        Assert.Equal(1, Hit(32, 2, 1, wide));
        Assert.Equal(0, Hit(2, 32, 1, wide));
    }

    [Fact]
    public void The_nearest_of_several_boxes_counts_and_other_classes_are_ignored()
    {
        var far = new BoundingBox(Target, 0, 0, 2, 2);
        var near = new BoundingBox(Target, 30, 30, 32, 32);
        var otherClass = new BoundingBox(7, 0, 0, 40, 40);
        // (35, 35) is (4, 4) from the near box's corner (31, 31): √32 ≈ 5.66
        Assert.Equal(1, Hit(35, 35, 6, far, near, otherClass));
        Assert.Equal(1, Hit(35, 35, 6, near, far));
        Assert.Equal(0, Hit(35, 35, 5.6, far, near, otherClass));
        Assert.Equal(0, Hit(35, 35, 6, far, otherClass)); // the other class's box contains the point but does not count
    }

    [Fact]
    public void The_first_maximum_in_row_major_order_is_the_point()
    {
        var m = new Tensor(1, H, W);
        m[0, 5, 1] = 2;
        m[0, 2, 30] = 2; // the same maximum earlier in row-major order
        var r = new PointingGame(1).Evaluate(Context(m, [[new BoundingBox(Target, 30, 2, 31, 3)]]));
        Assert.Equal(1, r.Values("hit")[0]);
        Assert.Equal((2, 30), PointingGame.ArgMax(m.Sample(0), W));
    }

    [Fact]
    public void Images_without_a_box_of_the_target_class_are_skipped_and_counted()
    {
        var maps = new Tensor(3, H, W);
        maps[0, 15, 15] = 1;
        maps[1, 15, 15] = 1;
        maps[2, 15, 15] = 1;
        IReadOnlyList<IReadOnlyList<BoundingBox>> boxes =
        [
            [Box],
            [new BoundingBox(5, 10, 10, 20, 20)],           // another class only
            [],                                              // nothing annotated
        ];
        var r = new PointingGame().Evaluate(Context(maps, boxes));
        Assert.Equal(1, r.Values("hit")[0]);
        Assert.True(double.IsNaN(r.Values("hit")[1]));
        Assert.Contains("no box of class 3", r.Record(1, "hit").NotDefinedReason);
        Assert.Equal([0, 1, 1], r.Values("skipped"));
        var summaries = MetricSummary.Summarize("m", r.Records);
        var hit = summaries.Single(s => s.ValueName == "hit");
        Assert.Equal((1, 2, 1.0), (hit.N, hit.NotDefined, hit.Mean));
        Assert.Equal(2.0 / 3, summaries.Single(s => s.ValueName == "skipped").Mean, 12);
    }

    [Fact]
    public void Boxes_outside_the_image_are_clipped_or_skipped_and_inverted_boxes_refused()
    {
        // partly outside: clipped to columns 0..2
        Assert.Equal(1, Hit(15, 0, 1, new BoundingBox(Target, -5, 0, 3, 40)));
        // wholly outside (TorchRay's mask would be empty): skipped, not a miss
        var r = new PointingGame().Evaluate(Context(Peak(15, 39), [[new BoundingBox(Target, 45, 0, 60, 40)]]));
        Assert.True(double.IsNaN(r.Values("hit")[0]));
        Assert.Contains("outside", r.Record(0, "hit").NotDefinedReason);
        // empty box
        var e = new PointingGame().Evaluate(Context(Peak(15, 15), [[new BoundingBox(Target, 15, 15, 15, 30)]]));
        Assert.Equal(1, e.Values("skipped")[0]);
        // inverted box
        var ex = Assert.Throws<EvalHarnessException>(() => new PointingGame().Evaluate(Context(Peak(1, 1), [[new BoundingBox(Target, 20, 0, 10, 5)]])));
        Assert.Contains("inverted", ex.Message);
    }

    [Fact]
    public void Missing_annotations_are_an_error_not_a_skip()
    {
        var ex = Assert.Throws<EvalHarnessException>(() => new PointingGame().Evaluate(Context(Peak(1, 1), null)));
        Assert.Contains("boxes", ex.Message);
        Assert.Throws<EvalHarnessException>(() => new EnergyPointingGame("masks").Evaluate(Context(Peak(1, 1), [[Box]])));
        Assert.Throws<ShapeException>(() => new PointingGame().Evaluate(Context(Peak(1, 1), [[Box], [Box]])));
    }

    [Fact]
    public void Pointing_into_a_pixel_mask()
    {
        var mask = new bool[H * W];
        mask[20 * W + 20] = true; // a single pixel
        var other = new bool[H * W];
        Array.Fill(other, true);
        IReadOnlyList<ObjectMask> masks = [new ObjectMask(Target, mask), new ObjectMask(9, other)];
        double HitAt(int y, int x, double t) => new PointingGame(t, "masks").Evaluate(Context(Peak(y, x), null, [masks])).Values("hit")[0];
        Assert.Equal(1, HitAt(20, 20, 0));
        Assert.Equal(0, HitAt(23, 24, 5));       // distance exactly 5
        Assert.Equal(1, HitAt(23, 24, 5.0001));
        Assert.Equal(0, HitAt(0, 0, 15));
        var empty = new PointingGame(15, "masks").Evaluate(Context(Peak(1, 1), null, [[new ObjectMask(Target, new bool[H * W])]]));
        Assert.Contains("empty", empty.Record(0, "hit").NotDefinedReason);
        Assert.Throws<ShapeException>(() => new PointingGame(15, "masks").Evaluate(Context(Peak(1, 1), null, [[new ObjectMask(Target, new bool[7])]])));
    }

    [Fact]
    public void Class_mean_and_per_image_rates_follow_TorchRay()
    {
        // class 1: hit, miss; class 2: hit; one skipped image
        MetricRecord[] hits =
        [
            new(0, 1, "pointing-game", "hit", 1), new(1, 1, "pointing-game", "hit", 0),
            new(2, 2, "pointing-game", "hit", 1), MetricRecord.NotDefined(3, 2, "pointing-game", "hit", "skipped: no box"),
            new(3, 2, "pointing-game", "skipped", 1),
        ];
        var s = PointingGameScore.FromHits(hits);
        Assert.Equal(2.0 / 3, s.PerImageRate, 12);
        Assert.Equal((0.5 + 1.0) / 2, s.ClassMeanRate, 12);
        Assert.Equal((3, 1), (s.Evaluated, s.Skipped));
        Assert.Equal((1, 1), s.PerClass[1]);
        // TorchRay averages over all num_classes, an unseen class counting 0
        Assert.Equal((0.5 + 1.0) / 4, PointingGameScore.FromHits(hits, classCount: 4).ClassMeanRate, 12);
    }

    private static double Energy(Tensor map, params BoundingBox[] boxes) =>
        new EnergyPointingGame().Evaluate(Context(map, [boxes])).Values("energy")[0];

    [Fact]
    public void Energy_is_the_share_of_the_min_max_normalised_map_inside_the_boxes()
    {
        var m = new Tensor(1, H, W);
        m[0, 1, 2] = 1;  // inside box rows 1..3, columns 2..4
        m[0, 4, 2] = 1;  // row 4 = Y1: outside
        m[0, 1, 5] = 1;  // column 5 = X1: outside
        m[0, 3, 4] = 2;  // inside, far corner
        var box = new BoundingBox(Target, 2, 1, 5, 4);
        // normalised by max 2: inside 0.5 + 1, total 0.5·3 + 1
        Assert.Equal(1.5 / 2.5, Energy(m, box), 12);
        // the transposed box (rows 2..4, columns 1..3), which is what indexing [x, y] would cover, holds only (y=4, x=2)
        Assert.Equal(0.5 / 2.5, Energy(m, new BoundingBox(Target, 1, 2, 4, 5)), 12);
        // a constant offset is removed by the min-max normalisation
        var shifted = m.Clone();
        for (int i = 0; i < shifted.Length; i++) shifted.Data[i] = shifted.Data[i] * 3 - 7;
        Assert.Equal(1.5 / 2.5, Energy(shifted, box), 6);
    }

    [Fact]
    public void Energy_counts_overlapping_boxes_once_and_ignores_other_classes()
    {
        var m = new Tensor(1, H, W);
        m[0, 5, 5] = 1;
        m[0, 30, 30] = 1;
        var a = new BoundingBox(Target, 0, 0, 10, 10);
        var b = new BoundingBox(Target, 3, 3, 8, 8);
        var other = new BoundingBox(1, 25, 25, 35, 35);
        Assert.Equal(0.5, Energy(m, a, b, other), 12);
    }

    [Fact]
    public void Energy_of_a_constant_map_is_not_defined_and_a_nan_map_is_counted()
    {
        var r = new EnergyPointingGame().Evaluate(Context(Tensor.Full(0.4f, 1, H, W), [[Box]]));
        Assert.Contains("constant", r.Record(0, "energy").NotDefinedReason);
        var nan = Peak(3, 3);
        nan[0, 0, 0] = float.NaN;
        var n = new EnergyPointingGame().Evaluate(Context(nan, [[Box]]));
        Assert.Contains("NaN", n.Record(0, "energy").NotDefinedReason);
        Assert.Equal(0, n.Values("skipped")[0]);
        var p = new PointingGame().Evaluate(Context(nan, [[Box]]));
        Assert.Contains("NaN", p.Record(0, "hit").NotDefinedReason);
    }

    [Fact]
    public void Energy_in_a_pixel_mask()
    {
        var m = new Tensor(1, H, W);
        m[0, 0, 0] = 1;
        m[0, 39, 39] = 3;
        var mask = new bool[H * W];
        mask[39 * W + 39] = true;
        var r = new EnergyPointingGame("masks").Evaluate(Context(m, null, [[new ObjectMask(Target, mask)]]));
        Assert.Equal(0.75, r.Values("energy")[0], 12);
    }
    [Fact]
    public void Maps_and_boxes_may_live_in_another_frame_than_the_input()
    {
        // TorchRay resizes the saliency to the original image and points there: a 50×70 map, a 40×40 input
        var map = new Tensor(1, 50, 70);
        map[0, 45, 66] = 1;
        var ctx = new MetricContext
        {
            Graph = TestNets.PixelLinear(new float[H * W]), Images = new Tensor(1, 1, H, W), Targets = [Target], Maps = map,
            Boxes = [[new BoundingBox(Target, 60, 44, 65, 48)]],
        };
        Assert.Equal(0, new PointingGame(1).Evaluate(ctx).Values("hit")[0]);   // column 66 is 2 from column 64
        Assert.Equal(1, new PointingGame(2.5).Evaluate(ctx).Values("hit")[0]);
        Assert.Equal(0, new EnergyPointingGame().Evaluate(ctx).Values("energy")[0]);
        Assert.Throws<ShapeException>(() => new Faithfulness.Deletion().Evaluate(ctx));
    }
}
