namespace EvalHarness.Harness.Datasets;

/// <summary>
/// The ILSVRC box convention, shared by the bbox XML files and the Kaggle LOC_val_solution.csv (which
/// carries the XML numbers): xmin, ymin, xmax, ymax are 0-based pixel indices and both ends are
/// inclusive, so the box covers the continuous range [xmin, xmax + 1) × [ymin, ymax + 1).
/// Evidence: over the 80,477 boxes of the 50,000 ILSVRC2012 validation images (clovaai/wsolevaluation
/// metadata/ILSVRC/test, which transcribes the XML, with image_sizes.txt), xmin = 0 occurs 7,388 times
/// and ymin = 0 5,414 times (impossible if 1-based), xmax = width − 1 occurs 6,086 times and
/// ymax = height − 1 7,781 times, while xmax = width or ymax = height never occurs (so the right/bottom
/// border pixel is index width − 1: inclusive, 0-based). The devkit's evaluation also measures overlap
/// inclusively (max − min + 1). This differs from PASCAL VOC, whose boxes are 1-based inclusive
/// (TorchRay's voc_as_mask subtracts 1 from every coordinate; ImageNet has no such shift).
/// The shared 227×227 imagenet-val-1000 CSV, rescaled from those boxes, keeps the convention: of its
/// 1523 boxes 232 end at x = 226 (the last pixel index) and only 4 at 227 (rounding).
/// </summary>
internal static class IlsvrcBox
{
    public static SourceBox FromInclusive(int cls, double xmin, double ymin, double xmax, double ymax) =>
        new(cls, xmin, ymin, xmax + 1, ymax + 1);
}
