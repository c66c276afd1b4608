using System.Diagnostics;
using System.Globalization;
using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Benchmarks;

/// <summary>
/// `--conv-quick`: one Conv2d layer, forward and input gradient, by each algorithm in turn (im2col + GEMM,
/// Winograd F(2×2,3×3), F(4×4,3×3)), rounds interleaved; prints the median wall and CPU milliseconds per
/// call and the effective GFLOP/s (direct FLOPs over wall time). For tuning the convolution paths.
/// Options: --shape N,C,K,H,W[,pad[,kernel[,stride]]] (a ;-list; kernels other than 3×3 stride 1: im2col only) --only TEXT (algorithms whose name contains it)
/// --seconds S --rounds R.
/// </summary>
public static class ConvQuick
{
    public static int Run(string[] args)
    {
        string shapes = Option(args, "--shape", "1,64,64,224,224;1,128,128,112,112;1,256,256,56,56;1,512,512,28,28;1,512,512,14,14;16,512,512,14,14");
        double seconds = double.Parse(Option(args, "--seconds", "1"), CultureInfo.InvariantCulture);
        int rounds = int.Parse(Option(args, "--rounds", "3"), CultureInfo.InvariantCulture);
        Console.WriteLine($"# {"shape",-24} {"algorithm",-12} {"fwd ms",8} {"cpu",7} {"GF/s",6} {"dX ms",8} {"cpu",7} {"GF/s",6}");
        foreach (var spec in shapes.Split(';'))
        {
            var p = spec.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            int n = p[0], c = p[1], k = p[2], h = p[3], w = p[4], pad = p.Length > 5 ? p[5] : 1;
            int kernel = p.Length > 6 ? p[6] : 3, stride = p.Length > 7 ? p[7] : 1;
            var variants = new (string Name, Action<Conv2d> Setup)[]
            {
                ("im2col", conv => conv.AllowWinograd = false),
                ("F(2x2,3x3)", conv => conv.WinogradAlgorithm = WinogradF2x3.Instance),
                ("F(4x4,3x3)", conv => conv.WinogradAlgorithm = WinogradF4x3.Instance),
            };
            string only = Option(args, "--only", "");
            variants = variants.Where(v => v.Name.Contains(only, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (kernel != 3 || stride != 1) variants = variants.Take(1).ToArray();
            var x = Tensor.Uninitialized(n, c, h, w);
            var rng = new Random(1);
            for (int i = 0; i < x.Length; i++) x.Data[i] = (float)rng.NextDouble();
            var convs = variants.Select(v =>
            {
                var conv = new Conv2d(c, k, kernel, stride: stride, padding: pad) { MinWinogradTiles = 1 };
                for (int i = 0; i < conv.Weight.Value.Length; i++) conv.Weight.Value.Data[i] = (float)(rng.NextDouble() - 0.5) * 0.1f;
                v.Setup(conv);
                return conv;
            }).ToArray();
            var y = convs[0].Forward([x]);
            var g = Tensor.Uninitialized(y.ShapeArray);
            for (int i = 0; i < g.Length; i++) g.Data[i] = (float)(rng.NextDouble() - 0.5);
            double flops = 2.0 * n * k * y.H * y.W * c * kernel * kernel;
            var times = variants.Select(_ => (Fwd: new List<(double, double)>(), Bwd: new List<(double, double)>())).ToArray();
            for (int round = 0; round <= rounds; round++)
            {
                for (int v = 0; v < variants.Length; v++)
                {
                    var conv = convs[v];
                    var (fwd, bwd) = times[v];
                    double budget = round == 0 ? Math.Min(0.3, seconds / 2) : seconds / rounds;
                    Measure(() => conv.Forward([x]), budget, round == 0 ? null : fwd);
                    Measure(() => conv.Backward([x], y, g, [true], false), budget, round == 0 ? null : bwd);
                }
            }
            for (int v = 0; v < variants.Length; v++)
            {
                var (fw, fc) = Median(times[v].Fwd);
                var (bw, bc) = Median(times[v].Bwd);
                Console.WriteLine($"  {spec,-24} {variants[v].Name,-12} {fw * 1e3,8:F2} {fc * 1e3,7:F2} {flops / fw / 1e9,6:F0} {bw * 1e3,8:F2} {bc * 1e3,7:F2} {flops / bw / 1e9,6:F0}");
            }
        }
        return 0;
    }

    private static void Measure(Action action, double seconds, List<(double Wall, double Cpu)>? into)
    {
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (calls++ < 2 || watch.Elapsed.TotalSeconds < seconds)
        {
            double c0 = CpuClock.Seconds();
            long t0 = Stopwatch.GetTimestamp();
            action();
            into?.Add((Stopwatch.GetElapsedTime(t0).TotalSeconds, CpuClock.Seconds() - c0));
        }
    }

    private static (double Wall, double Cpu) Median(List<(double Wall, double Cpu)> list)
    {
        var sorted = list.OrderBy(t => t.Wall).ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
