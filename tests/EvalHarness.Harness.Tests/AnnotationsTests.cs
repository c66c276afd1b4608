using EvalHarness.Engine.Imaging;
using EvalHarness.Harness.Datasets;
using EvalHarness.Metrics;

namespace EvalHarness.Harness.Tests;

public sealed class AnnotationsTests
{
    private static InputAnnotations Map(InputTransform t, params SourceBox[] boxes) =>
        Annotations.ToInputFrame(new DatasetItem("x", 0, boxes), t);

    [Fact]
    public void TorchvisionPlanOnA500By375Image()
    {
        var t = Preprocessing.Torchvision(256, 224).Plan(500, 375);
        // Shorter side 375 → 256, longer int(256·500/375) = 341; centre crop offsets round((341−224)/2) = 58 (half to even), (256−224)/2 = 16.
        Assert.Equal(new InputTransform(500, 375, 341, 256, 58, 16, 224, 224), t);
        // ILSVRC2012_val_00000001's box, 0-based inclusive 111,108..441,193 → [111, 442) × [108, 194):
        // x: 111·0.682 − 58 = 17.702 → 17; 442·0.682 − 58 = 243.44 → clipped to 224.
        // y: 108·256/375 − 16 = 57.728 → 57; 194·256/375 − 16 = 116.44 → 117.
        var a = Map(t, IlsvrcBox.FromInclusive(65, 111, 108, 441, 193), new SourceBox(3, 0, 0, 80, 50));
        Assert.Equal([new BoundingBox(65, 17, 57, 224, 117)], a.Boxes);
        Assert.Equal(1, a.Clipped);
        Assert.Equal(1, a.Dropped);   // [0, 80): 80·0.682 − 58 = −3.44, left of the crop
        Assert.Null(a.Masks);
    }

    [Fact]
    public void EdgesOnPixelBoundariesAndOffByOneCases()
    {
        // 512×512 → 256×256 (scale ½) → crop 224 at (16, 16): source x ↦ x/2 − 16.
        var t = Preprocessing.Torchvision(256, 224).Plan(512, 512);
        Assert.Equal(new InputTransform(512, 512, 256, 256, 16, 16, 224, 224), t);
        var a = Map(t,
            new SourceBox(0, 32, 32, 64, 64),     // [0, 16) exactly: not clipped, no extra pixel
            new SourceBox(1, 31, 40, 64, 42),     // starts at −0.5: clipped
            new SourceBox(2, 40, 40, 41, 41),     // [4, 4.5): touches pixel 4 only
            new SourceBox(3, 41, 41, 42, 42),     // [4.5, 5): touches pixel 4 only
            new SourceBox(4, 0, 0, 32, 32),       // [−16, 0): ends on the crop edge, nothing inside
            new SourceBox(5, 480, 100, 512, 120), // [224, 240): starts on the far edge, nothing inside
            new SourceBox(6, 479, 100, 512, 120), // [223.5, 240): one pixel, clipped
            new SourceBox(7, 33, 33, 35, 35));    // [0.5, 1.5): pixels 0 and 1
        Assert.Equal([
            new BoundingBox(0, 0, 0, 16, 16),
            new BoundingBox(1, 0, 4, 16, 5),
            new BoundingBox(2, 4, 4, 5, 5),
            new BoundingBox(3, 4, 4, 5, 5),
            new BoundingBox(6, 223, 34, 224, 44),
            new BoundingBox(7, 0, 0, 2, 2),
        ], a.Boxes);
        Assert.Equal(2, a.Clipped);
        Assert.Equal(2, a.Dropped);
    }

    [Fact]
    public void CaffePlanIdentityAndScaledFrames()
    {
        var identity = Preprocessing.Caffe(227).Plan(227, 227);
        Assert.Equal(new InputTransform(227, 227, 227, 227, 0, 0, 227, 227), identity);
        // The shared CSV's first box 9 106 50 177 (inclusive) → [9, 51) × [106, 178); one at x1 = 227 reaches past the last pixel.
        var a = Map(identity, IlsvrcBox.FromInclusive(472, 9, 106, 50, 177), IlsvrcBox.FromInclusive(472, 200, 0, 227, 226));
        Assert.Equal([new BoundingBox(472, 9, 106, 51, 178), new BoundingBox(472, 200, 0, 227, 227)], a.Boxes);
        Assert.Equal(1, a.Clipped);
        Assert.Equal(0, a.Dropped);

        // 454×227 → 227×227: x halves. [2, 6) → [1, 3); [3, 5) → [1.5, 2.5) → pixels 1, 2.
        var half = Preprocessing.Caffe(227).Plan(454, 227);
        var b = Map(half, new SourceBox(0, 2, 0, 6, 1), new SourceBox(0, 3, 0, 5, 1));
        Assert.Equal([new BoundingBox(0, 1, 0, 3, 1), new BoundingBox(0, 1, 0, 3, 1)], b.Boxes);
        Assert.Equal(0, b.Clipped);
    }

    [Fact]
    public void RoundingNoiseDoesNotAddAPixel()
    {
        // 300 → 21: 100·(21/300) = 7.000000000000001 and 200·(21/300) = 14.000000000000002 in double;
        // a plain ceiling would give 15, and 300·(21/300) = 21.000000000000004 would count as clipped.
        var t = Preprocessing.Caffe(21).Plan(300, 300);
        var a = Map(t, new SourceBox(0, 100, 100, 200, 200), new SourceBox(0, 0, 0, 300, 300));
        Assert.Equal([new BoundingBox(0, 7, 7, 14, 14), new BoundingBox(0, 0, 0, 21, 21)], a.Boxes);
        Assert.Equal(0, a.Clipped);
    }

    [Fact]
    public void MasksTakeTheNearestSourcePixelAtCentres()
    {
        // 8×8 → 4×4: input pixel x samples source ⌊(x + ½)·2⌋ = 1, 3, 5, 7.
        var t = Preprocessing.Caffe(4).Plan(8, 8);
        var src = new bool[64];
        src[1 * 8 + 1] = true;  // → input (0, 0)
        src[7 * 8 + 3] = true;  // → input (1, 3)
        src[0 * 8 + 0] = true;  // never sampled
        var empty = new bool[64];
        empty[2 * 8 + 2] = true; // never sampled either: the mask vanishes
        var item = new DatasetItem("m", 1, [], Masks: [new SourceMask(1, 8, 8, src), new SourceMask(2, 8, 8, empty)]);
        var a = Annotations.ToInputFrame(item, t);
        var mask = Assert.Single(a.Masks!);
        Assert.Equal(1, mask.Class);
        var expected = new bool[16];
        expected[0] = true;
        expected[3 * 4 + 1] = true;
        Assert.Equal(expected, mask.Pixels);
        Assert.Equal(1, a.MasksDropped);
    }

    [Fact]
    public void MasksFollowTheCropAndScaleWithTheirOwnResolution()
    {
        // 16×8, shorter side 8 (no scaling), crop 4×4 at (6, 2): input (x, y) ← source (x + 6, y + 2).
        var t = Preprocessing.Torchvision(8, 4).Plan(16, 8);
        Assert.Equal(new InputTransform(16, 8, 16, 8, 6, 2, 4, 4), t);
        var src = new bool[16 * 8];
        src[(2 + 1) * 16 + 6 + 2] = true;   // source (8, 3) → input (2, 1)
        // The same mask at half resolution (8×4): input (x, y) ← mask pixel (⌊(x + 6.5)/2⌋, ⌊(y + 2.5)/2⌋).
        var low = new bool[8 * 4];
        low[1 * 8 + 4] = true;              // mask (4, 1) → input x with ⌊(x + 6.5)/2⌋ = 4: x = 2, 3; y with ⌊(y + 2.5)/2⌋ = 1: y = 0, 1
        var item = new DatasetItem("m", 1, [], Masks: [new SourceMask(0, 16, 8, src), new SourceMask(0, 8, 4, low)]);
        var a = Annotations.ToInputFrame(item, t);
        Assert.Equal(2, a.Masks!.Count);
        Assert.Equal([6], Enumerable.Range(0, 16).Where(i => a.Masks[0].Pixels[i]));
        Assert.Equal([2, 3, 6, 7], Enumerable.Range(0, 16).Where(i => a.Masks[1].Pixels[i]));
    }

    [Fact]
    public void MaskOfTheWrongLengthIsAShapeError()
    {
        var t = Preprocessing.Caffe(4).Plan(8, 8);
        var item = new DatasetItem("bad", 1, [], Masks: [new SourceMask(0, 8, 8, new bool[10])]);
        var e = Assert.Throws<EvalHarness.Engine.ShapeException>(() => Annotations.ToInputFrame(item, t));
        Assert.Contains("'bad'", e.Message);
    }
}
