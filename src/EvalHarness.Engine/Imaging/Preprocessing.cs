using System.Globalization;

namespace EvalHarness.Engine.Imaging;

/// <summary>
/// A model's input preprocessing, applied in this fixed order: resize (none, shorter side N, or exact
/// W×H; bilinear, antialiased as PIL or not as torchvision's tensor path) → centre crop → channel order
/// → scale → (x − mean) / std per channel → a 1×3×H×W float32 tensor. Mean and std are listed in the
/// output channel order (B, G, R for <see cref="ChannelOrder.Bgr"/>). With scale 1/255 the pixel is
/// divided by 255 in float32 and normalised as torchvision's ToTensor + Normalize do, so the tensor
/// equals the torchvision pipeline's bit for bit when the resize matches.
/// </summary>
public sealed record Preprocessing
{
    public const string TorchvisionPreset = "torchvision";
    public const string CaffePreset = "caffe";

    private static readonly string[] PresetNames = [TorchvisionPreset, CaffePreset];

    public ResizeMode Resize { get; init; } = ResizeMode.None;

    /// <summary>The shorter side for <see cref="ResizeMode.ShorterSide"/>.</summary>
    public int ResizeShorter { get; init; }

    /// <summary>The size for <see cref="ResizeMode.Exact"/>.</summary>
    public int ResizeWidth { get; init; }

    public int ResizeHeight { get; init; }

    /// <summary>True: PIL's antialiased bilinear (torchvision on PIL images); false: plain bilinear interpolation (torchvision on uint8 tensors).</summary>
    public bool Antialias { get; init; } = true;

    /// <summary>Centre crop size; both null for no crop.</summary>
    public int? CropWidth { get; init; }

    public int? CropHeight { get; init; }

    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    /// <summary>Multiplies the 0-255 pixel values: 1/255 (divide by 255, torchvision) or 1 (Caffe).</summary>
    public double Scale { get; init; } = 1.0 / 255;

    /// <summary>Per-channel mean in output channel order (after scaling).</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0f, 0f, 0f];

    /// <summary>Per-channel standard deviation in output channel order.</summary>
    public IReadOnlyList<float> Std { get; init; } = [1f, 1f, 1f];

    /// <summary>torchvision ImageNet evaluation: Resize(256), CenterCrop(224), ToTensor, Normalize(ImageNet mean, std).</summary>
    public static Preprocessing Torchvision(int resize = 256, int crop = 224) => new()
    {
        Resize = ResizeMode.ShorterSide,
        ResizeShorter = resize,
        CropWidth = crop,
        CropHeight = crop,
        ChannelOrder = ChannelOrder.Rgb,
        Scale = 1.0 / 255,
        Mean = [0.485f, 0.456f, 0.406f],
        Std = [0.229f, 0.224f, 0.225f],
    };

    /// <summary>Caffe convention: exact resize to size×size, BGR, 0-255, minus mean [104, 117, 123] (B, G, R), no std.</summary>
    public static Preprocessing Caffe(int inputSize = 227) => new()
    {
        Resize = ResizeMode.Exact,
        ResizeWidth = inputSize,
        ResizeHeight = inputSize,
        ChannelOrder = ChannelOrder.Bgr,
        Scale = 1.0,
        Mean = [104f, 117f, 123f],
        Std = [1f, 1f, 1f],
    };

    /// <summary>A preset by name (case-insensitive): "torchvision" or "caffe" (inputSize: crop or exact size; defaults 224 / 227).</summary>
    public static Preprocessing Preset(string name, int? inputSize = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Equals(TorchvisionPreset, StringComparison.OrdinalIgnoreCase))
            return inputSize is int s ? Torchvision(resize: (int)Math.Round(s * 256.0 / 224.0), crop: s) : Torchvision();
        if (name.Equals(CaffePreset, StringComparison.OrdinalIgnoreCase))
            return Caffe(inputSize ?? 227);
        throw new UnknownNameException(NameMatcher.UnknownMessage("preprocessing preset", name, PresetNames));
    }

    /// <summary>The network input size when it does not depend on the image (a crop or an exact resize).</summary>
    public (int Width, int Height)? OutputSize =>
        CropWidth is int cw && CropHeight is int ch ? (cw, ch)
        : Resize == ResizeMode.Exact ? (ResizeWidth, ResizeHeight)
        : null;

    /// <summary>Throws an <see cref="EvalHarnessException"/> naming the first invalid field, its value and what is valid.</summary>
    public void Validate()
    {
        switch (Resize)
        {
            case ResizeMode.None:
                break;
            case ResizeMode.ShorterSide:
                if (ResizeShorter <= 0)
                    throw Invalid(nameof(ResizeShorter), ResizeShorter, "the shorter side must be a positive number of pixels (e.g. 256)");
                break;
            case ResizeMode.Exact:
                if (ResizeWidth <= 0) throw Invalid(nameof(ResizeWidth), ResizeWidth, "an exact resize needs a positive width (e.g. 227)");
                if (ResizeHeight <= 0) throw Invalid(nameof(ResizeHeight), ResizeHeight, "an exact resize needs a positive height (e.g. 227)");
                break;
            default:
                throw Invalid(nameof(Resize), Resize, "use None, ShorterSide or Exact");
        }
        if (CropWidth.HasValue != CropHeight.HasValue)
            throw new EvalHarnessException(
                $"Preprocessing: {nameof(CropWidth)} is {Show(CropWidth)} but {nameof(CropHeight)} is {Show(CropHeight)}; give both (a centre crop) or neither.");
        if (CropWidth is int cw && CropHeight is int ch)
        {
            if (cw <= 0) throw Invalid(nameof(CropWidth), cw, "a centre crop needs a positive width (e.g. 224)");
            if (ch <= 0) throw Invalid(nameof(CropHeight), ch, "a centre crop needs a positive height (e.g. 224)");
            if (Resize == ResizeMode.Exact && (cw > ResizeWidth || ch > ResizeHeight))
                throw new EvalHarnessException(
                    $"Preprocessing: the centre crop {cw}×{ch} is larger than the exact resize {ResizeWidth}×{ResizeHeight}; the crop must fit inside the resized image.");
            if (Resize == ResizeMode.ShorterSide && Math.Min(cw, ch) > ResizeShorter)
                throw new EvalHarnessException(
                    $"Preprocessing: the centre crop {cw}×{ch} cannot fit an image whose shorter side is resized to {ResizeShorter}; use a crop of at most {ResizeShorter} on its shorter side.");
        }
        if (ChannelOrder is not (ChannelOrder.Rgb or ChannelOrder.Bgr))
            throw Invalid(nameof(ChannelOrder), ChannelOrder, "use Rgb or Bgr");
        if (!double.IsFinite(Scale) || Scale <= 0)
            throw Invalid(nameof(Scale), Scale, "the pixel scale must be a positive finite number: 1/255 (inputs in 0-1) or 1 (inputs in 0-255)");
        CheckPerChannel(nameof(Mean), Mean, requirePositive: false);
        CheckPerChannel(nameof(Std), Std, requirePositive: true);
    }

    /// <summary>The geometry this preprocessing applies to a <paramref name="width"/>×<paramref name="height"/> image (no pixels touched).</summary>
    public InputTransform Plan(int width, int height)
    {
        Validate();
        if (width <= 0 || height <= 0) throw new ShapeException($"An image must be at least 1×1 pixel, not {width}×{height}.");
        var (rw, rh) = Resize switch
        {
            ResizeMode.ShorterSide => Imaging.Resize.ShorterSideSize(width, height, ResizeShorter),
            ResizeMode.Exact => (ResizeWidth, ResizeHeight),
            _ => (width, height),
        };
        if (CropWidth is int cw && CropHeight is int ch)
        {
            var (left, top) = Crop.CenterOffsets(rw, rh, cw, ch);
            return new InputTransform(width, height, rw, rh, left, top, cw, ch);
        }
        return new InputTransform(width, height, rw, rh, 0, 0, rw, rh);
    }

    /// <summary>Preprocesses one image into a 1×3×H×W tensor.</summary>
    public PreparedInput Apply(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var transform = Plan(image.Width, image.Height);
        var tensor = Tensor.Uninitialized(1, 3, transform.Height, transform.Width);
        Fill(image, transform, tensor.Data);
        return new PreparedInput(tensor, transform);
    }

    /// <summary>Preprocesses images of any sizes into one N×3×H×W tensor; every result must have the same size.</summary>
    public PreparedBatch ApplyBatch(IReadOnlyList<Image> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new EvalHarnessException("Preprocessing: a batch needs at least one image.");
        var transforms = new InputTransform[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(images[i]);
            transforms[i] = Plan(images[i].Width, images[i].Height);
            if (transforms[i].Width != transforms[0].Width || transforms[i].Height != transforms[0].Height)
                throw new ShapeException(
                    $"Preprocessing: batch image {i} becomes {transforms[i].Width}×{transforms[i].Height} but image 0 becomes {transforms[0].Width}×{transforms[0].Height}; " +
                    "add a centre crop or an exact resize so that every image has the same input size.");
        }
        var tensor = Tensor.Uninitialized(images.Count, 3, transforms[0].Height, transforms[0].Width);
        for (int i = 0; i < images.Count; i++) Fill(images[i], transforms[i], tensor.Sample(i));
        return new PreparedBatch(tensor, transforms);
    }

    private void Fill(Image image, InputTransform t, Span<float> destination)
    {
        var resized = t.ResizedWidth == image.Width && t.ResizedHeight == image.Height ? image
            : Antialias ? Imaging.Resize.Pil(image, t.ResizedWidth, t.ResizedHeight)
            : Imaging.Resize.TensorPath(image, t.ResizedWidth, t.ResizedHeight, antialias: false);
        int plane = t.Width * t.Height;
        bool divide255 = Scale == 1.0 / 255;
        float scale = (float)Scale;
        for (int c = 0; c < 3; c++)
        {
            int source = ChannelOrder == ChannelOrder.Bgr ? 2 - c : c;
            float mean = Mean[c], std = Std[c];
            var dst = destination.Slice(c * plane, plane);
            for (int y = 0; y < t.Height; y++)
            {
                var row = resized.Pixels.AsSpan(((t.CropTop + y) * resized.Width + t.CropLeft) * 3, t.Width * 3);
                var outRow = dst.Slice(y * t.Width, t.Width);
                for (int x = 0; x < outRow.Length; x++)
                {
                    float v = row[3 * x + source];
                    v = divide255 ? v / 255f : v * scale;   // ToTensor: float32 division by 255
                    outRow[x] = (v - mean) / std;           // Normalize: sub_(mean).div_(std)
                }
            }
        }
    }

    /// <summary>Value equality, the per-channel lists compared element by element.</summary>
    public bool Equals(Preprocessing? other) =>
        other is not null && Resize == other.Resize && ResizeShorter == other.ResizeShorter && ResizeWidth == other.ResizeWidth &&
        ResizeHeight == other.ResizeHeight && Antialias == other.Antialias && CropWidth == other.CropWidth &&
        CropHeight == other.CropHeight && ChannelOrder == other.ChannelOrder && Scale.Equals(other.Scale) &&
        Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Resize);
        h.Add(ResizeShorter);
        h.Add(ResizeWidth);
        h.Add(ResizeHeight);
        h.Add(Antialias);
        h.Add(CropWidth);
        h.Add(CropHeight);
        h.Add(ChannelOrder);
        h.Add(Scale);
        foreach (var m in Mean) h.Add(m);
        foreach (var s in Std) h.Add(s);
        return h.ToHashCode();
    }

    /// <summary>The whole pipeline in one line, e.g. for results metadata.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        string resize = Resize switch
        {
            ResizeMode.ShorterSide => $"resize shorter side {ResizeShorter}",
            ResizeMode.Exact => $"resize {ResizeWidth}×{ResizeHeight}",
            _ => "no resize",
        };
        if (Resize != ResizeMode.None) resize += Antialias ? " (bilinear, antialiased as PIL)" : " (bilinear, no antialias)";
        string crop = CropWidth is int cw && CropHeight is int ch ? $"centre crop {cw}×{ch}" : "no crop";
        string scale = Scale == 1.0 / 255 ? "/255" : "×" + Scale.ToString("R", inv);
        string List(IReadOnlyList<float> v) => "[" + string.Join(", ", v.Select(x => x.ToString("R", inv))) + "]";
        return $"{resize} → {crop} → {ChannelOrder.ToString().ToUpperInvariant()} → {scale} → mean {List(Mean)}, std {List(Std)}";
    }

    private static void CheckPerChannel(string field, IReadOnlyList<float>? values, bool requirePositive)
    {
        string what = requirePositive ? "positive finite numbers" : "finite numbers";
        if (values is null || values.Count != 3)
            throw new EvalHarnessException(
                $"Preprocessing: {field} has {values?.Count ?? 0} values; it needs exactly 3 {what}, one per channel in the output channel order.");
        for (int c = 0; c < 3; c++)
        {
            float v = values[c];
            if (!float.IsFinite(v) || (requirePositive && v <= 0))
                throw new EvalHarnessException(
                    $"Preprocessing: {field}[{c}] = {v.ToString(CultureInfo.InvariantCulture)} is invalid; {field} values must be {what}.");
        }
    }

    private static EvalHarnessException Invalid(string field, object value, string valid) =>
        new($"Preprocessing: {field} = {Convert.ToString(value, CultureInfo.InvariantCulture)} is invalid; {valid}.");

    private static string Show(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "not set";
}
