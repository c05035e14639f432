// ort_bench.js - times one model with ONNX Runtime's Node.js package
// (onnxruntime-node) on one thread, for a side-by-side comparison with
// onnxmini-bench on the same machine. bench/run_bench.py runs it when
// `make bench` gets BENCH_ORT (see tools/ort-bench.sh).
//
// Usage: node ort_bench.js MODEL BATCH MAX_SECONDS
//
// Prints one JSON object: median_us, min_us, runs and the package version.
// The times include the JavaScript call around each run.
'use strict';

const path = require('path');

function loadRuntime() {
    const dir = process.env.ORT_NODE_MODULES;
    return require(dir ? path.join(dir, 'onnxruntime-node')
                       : 'onnxruntime-node');
}

async function main() {
    const [model, batchText, secondsText] = process.argv.slice(2);
    const batch = Number(batchText || 1);
    const seconds = Number(secondsText || 5);
    if (!model || !(batch >= 1) || !(seconds > 0)) {
        console.error('usage: node ort_bench.js MODEL BATCH MAX_SECONDS');
        process.exit(2);
    }
    const ort = loadRuntime();
    const session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
    });

    // Symbolic dimensions: the batch on axis 0, 1 elsewhere, as
    // onnxmini-bench does. Floats uniform in [-1, 1) from a fixed LCG.
    const feeds = {};
    let seed = 12345;
    for (const meta of session.inputMetadata) {
        const dims = meta.shape.map((d, i) =>
            typeof d === 'number' && d > 0 ? d : (i === 0 ? batch : 1));
        const count = dims.reduce((a, b) => a * b, 1);
        const data = new Float32Array(count);
        for (let i = 0; i < count; i++) {
            seed = (seed * 1664525 + 1013904223) >>> 0;
            data[i] = seed / 2147483648 - 1;
        }
        feeds[meta.name] = new ort.Tensor('float32', data, dims);
    }

    // Up to 10 warm-up runs and 200 timed runs, each loop bounded by
    // MAX_SECONDS after its first run, as in onnxmini-bench.
    const limit = BigInt(Math.round(seconds * 1e9));
    let start = process.hrtime.bigint();
    for (let i = 0; i < 10; i++) {
        await session.run(feeds);
        if (process.hrtime.bigint() - start > limit)
            break;
    }
    const times = [];
    start = process.hrtime.bigint();
    while (times.length < 200) {
        const t0 = process.hrtime.bigint();
        await session.run(feeds);
        const t1 = process.hrtime.bigint();
        times.push(Number(t1 - t0) / 1000);
        if (times.length >= 5 && t1 - start > limit)
            break;
    }
    times.sort((a, b) => a - b);
    const version = require(path.join(path.dirname(require.resolve(
        process.env.ORT_NODE_MODULES
            ? path.join(process.env.ORT_NODE_MODULES, 'onnxruntime-node')
            : 'onnxruntime-node')), '..', 'package.json')).version;
    console.log(JSON.stringify({
        median_us: times[(times.length - 1) >> 1],
        min_us: times[0],
        runs: times.length,
        version: version,
    }));
}

main().catch((error) => {
    console.error(`ort_bench.js: ${error.message}`);
    process.exit(1);
});
