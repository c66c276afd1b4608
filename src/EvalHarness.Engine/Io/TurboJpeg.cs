using System.Reflection;
using System.Runtime.InteropServices;

namespace EvalHarness.Engine.Io;

/// <summary>
/// The TurboJPEG C API of libjpeg-turbo (turbojpeg.h, API version 2.x), bound at run time with
/// <see cref="NativeLibrary"/>. EVALHARNESS_TURBOJPEG may name the library file; otherwise the usual
/// names are tried (Debian libturbojpeg0: libturbojpeg.so.0).
/// </summary>
internal sealed unsafe class TurboJpeg
{
    // turbojpeg.h enums
    public const int PixelFormatRgb = 0;       // TJPF_RGB
    public const int PixelFormatCmyk = 11;     // TJPF_CMYK
    public const int ColorspaceCmyk = 3;       // TJCS_CMYK
    public const int ColorspaceYcck = 4;       // TJCS_YCCK
    public const int ErrorWarning = 0;         // TJERR_WARNING
    public const int Subsampling420 = 2;       // TJSAMP_420

    private static readonly string[] Candidates =
        ["libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib", "turbojpeg.dll", "turbojpeg"];

    private static readonly Lazy<(TurboJpeg? Library, string? Error)> Loaded = new(Load);

    private TurboJpeg(nint lib)
    {
        InitDecompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "tjInitDecompress");
        InitCompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "tjInitCompress");
        DecompressHeader3 = (delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int>)
            NativeLibrary.GetExport(lib, "tjDecompressHeader3");
        Decompress2 = (delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int>)
            NativeLibrary.GetExport(lib, "tjDecompress2");
        Compress2 = (delegate* unmanaged<nint, byte*, int, int, int, int, byte**, CULong*, int, int, int, int>)
            NativeLibrary.GetExport(lib, "tjCompress2");
        Free = (delegate* unmanaged<byte*, void>)NativeLibrary.GetExport(lib, "tjFree");
        GetErrorStr2 = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(lib, "tjGetErrorStr2");
        GetErrorCode = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "tjGetErrorCode");
        Destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "tjDestroy");
    }

    public delegate* unmanaged<nint> InitDecompress { get; }
    public delegate* unmanaged<nint> InitCompress { get; }
    public delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int> DecompressHeader3 { get; }
    public delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int> Decompress2 { get; }
    public delegate* unmanaged<nint, byte*, int, int, int, int, byte**, CULong*, int, int, int, int> Compress2 { get; }
    public delegate* unmanaged<byte*, void> Free { get; }
    public delegate* unmanaged<nint, byte*> GetErrorStr2 { get; }
    public delegate* unmanaged<nint, int> GetErrorCode { get; }
    public delegate* unmanaged<nint, int> Destroy { get; }

    /// <summary>Null when the library is missing; <see cref="LoadError"/> then says what was tried.</summary>
    public static TurboJpeg? TryGet() => Loaded.Value.Library;

    public static string? LoadError => Loaded.Value.Error;

    public static TurboJpeg Get() => Loaded.Value.Library ?? throw Missing(Loaded.Value.Error);

    internal static EvalHarnessException Missing(string? error) => new(
        "Reading and writing JPEG needs the TurboJPEG library of libjpeg-turbo, which was not found (" + error +
        "). Install it: Debian/Ubuntu `apt-get install libturbojpeg0`, Fedora `dnf install turbojpeg`, " +
        "macOS `brew install jpeg-turbo`, Windows the libjpeg-turbo installer (turbojpeg.dll on PATH); " +
        "or set EVALHARNESS_TURBOJPEG to the library file.");

    public string ErrorMessage(nint handle)
    {
        byte* s = GetErrorStr2(handle);
        return s == null ? "unknown TurboJPEG error" : Marshal.PtrToStringUTF8((nint)s) ?? "unknown TurboJPEG error";
    }

    private static (TurboJpeg?, string?) Load()
    {
        var names = new List<string>();
        var env = Environment.GetEnvironmentVariable("EVALHARNESS_TURBOJPEG");
        if (!string.IsNullOrWhiteSpace(env)) names.Add(env);
        names.AddRange(Candidates);
        return Load(names);
    }

    /// <summary>Loads the first of <paramref name="names"/> that exports the API; else null and what was tried.</summary>
    internal static (TurboJpeg? Library, string? Error) Load(IEnumerable<string> names)
    {
        var tried = new List<string>();
        foreach (var name in names)
        {
            if (!NativeLibrary.TryLoad(name, Assembly.GetExecutingAssembly(), null, out var handle))
            {
                tried.Add(name);
                continue;
            }
            try
            {
                return (new TurboJpeg(handle), null);
            }
            catch (EntryPointNotFoundException e)
            {
                tried.Add($"{name} lacks {e.Message}");
            }
        }
        return (null, "tried " + string.Join(", ", tried));
    }
}
