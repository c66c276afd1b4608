namespace EvalHarness.Engine.Imaging;

/// <summary>
/// The geometry that <see cref="Preprocessing"/> applied: the source image was resized to
/// ResizedWidth×ResizedHeight, then the Width×Height window at (CropLeft, CropTop) was kept.
/// Coordinates are continuous pixel coordinates: pixel i covers [i, i + 1), so a box (x0, y0, x1, y1)
/// with exclusive ends maps linearly (a resized pixel's centre (i + ½) comes from source position
/// (i + ½)·source/resized, as in PIL's and PyTorch's resampling).
/// </summary>
public sealed record InputTransform(
    int SourceWidth, int SourceHeight, int ResizedWidth, int ResizedHeight, int CropLeft, int CropTop, int Width, int Height)
{
    public double ScaleX => (double)ResizedWidth / SourceWidth;

    public double ScaleY => (double)ResizedHeight / SourceHeight;

    /// <summary>A source point in the network-input frame (not clipped).</summary>
    public (double X, double Y) MapPoint(double x, double y) => (x * ScaleX - CropLeft, y * ScaleY - CropTop);

    /// <summary>A network-input point back in source pixels.</summary>
    public (double X, double Y) MapPointToSource(double x, double y) => ((x + CropLeft) / ScaleX, (y + CropTop) / ScaleY);

    /// <summary>
    /// A box (x0, y0, x1, y1) in source pixels mapped into the network-input frame and clipped to it;
    /// null when nothing of the box remains inside the crop.
    /// </summary>
    public (double X0, double Y0, double X1, double Y1)? MapBox(double x0, double y0, double x1, double y1)
    {
        if (!(double.IsFinite(x0) && double.IsFinite(y0) && double.IsFinite(x1) && double.IsFinite(y1)))
            throw new EvalHarnessException($"A box needs finite coordinates, not ({x0}, {y0}, {x1}, {y1}).");
        if (x1 < x0 || y1 < y0)
            throw new EvalHarnessException($"A box needs x0 ≤ x1 and y0 ≤ y1, not ({x0}, {y0}, {x1}, {y1}).");
        var (a0, b0) = MapPoint(x0, y0);
        var (a1, b1) = MapPoint(x1, y1);
        a0 = Math.Clamp(a0, 0, Width);
        a1 = Math.Clamp(a1, 0, Width);
        b0 = Math.Clamp(b0, 0, Height);
        b1 = Math.Clamp(b1, 0, Height);
        if (a1 <= a0 || b1 <= b0) return null;
        return (a0, b0, a1, b1);
    }
}
