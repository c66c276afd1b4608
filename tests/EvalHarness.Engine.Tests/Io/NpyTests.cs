using EvalHarness.Engine.Io;

namespace EvalHarness.Engine.Tests.Io;

public class NpyTests
{
    [Fact]
    public void Reads_numpy_written_files_of_every_supported_dtype()
    {
        var i4 = Npy.Read(IoFixtures.Path("npy", "i4_5.npy"));
        Assert.Equal("<i4", i4.DType);
        Assert.Equal(new[] { int.MinValue, -1, 0, 7, int.MaxValue }, (int[])i4.Data);
        var i8 = Npy.Read(IoFixtures.Path("npy", "i8_2x2.npy"));
        Assert.Equal(new[] { 2, 2 }, i8.Shape);
        Assert.Equal(new[] { -(1L << 40), 3, 0, (1L << 40) + 1 }, (long[])i8.Data);
        var u1 = Npy.Read(IoFixtures.Path("npy", "u1_4x3.npy"));
        Assert.Equal(new[] { 4, 3 }, u1.Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)(i * 21)).ToArray(), (byte[])u1.Data);
        var v2 = Npy.ReadTensor(IoFixtures.Path("npy", "f4_v2_3x2.npy"));   // format version 2.0
        Assert.Equal(new[] { 3, 2 }, v2.ShapeArray);
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f }, v2.Data);
        var f4 = Npy.ReadTensor(IoFixtures.Path("npy", "f4_2x3x4x5.npy"));
        Assert.Equal(new[] { 2, 3, 4, 5 }, f4.ShapeArray);
        var f8 = Npy.Read(IoFixtures.Path("npy", "f8_3x7.npy"));
        Assert.Equal("<f8", f8.DType);
        var f8t = f8.ToTensor();
        Assert.Equal((float)((double[])f8.Data)[20], f8t.Data[20]);
        var scalar = Npy.ReadTensor(IoFixtures.Path("npy", "f4_scalar.npy"));
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(3.5f, scalar.Data[0]);
        var empty = Npy.Read(IoFixtures.Path("npy", "f4_empty_0x3.npy"));
        Assert.Equal(new[] { 0, 3 }, empty.Shape);
        Assert.Equal(0, empty.Length);
    }

    [Fact]
    public void Write_then_read_round_trips_and_pads_the_header_to_64_bytes()
    {
        var t = new Tensor(Enumerable.Range(0, 60).Select(i => i * 0.1f - 2f).ToArray(), 3, 4, 5);
        var bytes = Npy.Encode(NpyArray.FromTensor(t));
        Assert.Equal(0, (bytes.Length - 60 * 4) % 64);
        var back = Npy.Decode(bytes);
        Assert.Equal("<f4", back.DType);
        Assert.Equal(t.ShapeArray, back.Shape);
        Assert.Equal(t.Data, (float[])back.Data);
        // A file numpy wrote re-encodes byte for byte.
        var numpyBytes = File.ReadAllBytes(IoFixtures.Path("npy", "f4_2x3x4x5.npy"));
        Assert.Equal(numpyBytes, Npy.Encode(Npy.Decode(numpyBytes)));
        var oneD = File.ReadAllBytes(IoFixtures.Path("npy", "i4_5.npy"));
        Assert.Equal(oneD, Npy.Encode(Npy.Decode(oneD)));
        var path = Path.Combine(Path.GetTempPath(), $"evalharness-npy-{Guid.NewGuid():N}.npy");
        try
        {
            Npy.Write(path, t);
            Assert.Equal(t.Data, Npy.ReadTensor(path).Data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Refuses_fortran_order_big_endian_and_other_dtypes_with_the_fix()
    {
        var fortran = Assert.Throws<FileFormatException>(() => Npy.Read(IoFixtures.Path("npy", "f4_fortran_3x2.npy")));
        Assert.Contains("Fortran", fortran.Message);
        Assert.Contains("np.ascontiguousarray", fortran.Message);
        var big = Assert.Throws<FileFormatException>(() => Npy.Read(IoFixtures.Path("npy", "f4_bigendian_3.npy")));
        Assert.Contains("big-endian ('>f4')", big.Message);
        Assert.Contains("astype('<f4')", big.Message);
        var complex = Assert.Throws<FileFormatException>(() => Npy.Read(IoFixtures.Path("npy", "c8_2.npy")));
        Assert.Contains("dtype '<c8' is not supported", complex.Message);
        Assert.Contains("'<f4'", complex.Message);
    }

    [Fact]
    public void Truncated_empty_and_foreign_files_are_refused()
    {
        var bytes = File.ReadAllBytes(IoFixtures.Path("npy", "f4_2x3x4x5.npy"));
        Assert.Contains("data is truncated", IoFixtures.FormatError(bytes[..(bytes.Length - 4)], Npy.Read, ".npy").Message);
        Assert.Contains("header is truncated", IoFixtures.FormatError(bytes[..30], Npy.Read, ".npy").Message);
        Assert.Contains("empty", IoFixtures.FormatError([], Npy.Read, ".npy").Message);
        Assert.Contains("not a NumPy", IoFixtures.FormatError("PK\x03\x04"u8.ToArray(), Npy.Read, ".npy").Message);
        var missing = Assert.Throws<FileFormatException>(() => Npy.Read("/nonexistent/x.npy"));
        Assert.Contains("file not found", missing.Message);
    }
}
