# binding.gyp — builds build/Release/lsmkv.node, the native half of the codec seam (native/, loaded only by
# src/codec/loader.ts). Built by native/build.mjs at install time; `npx node-gyp rebuild` by hand.
# xxHash comes from the header shipped in the xxhash-addon package (no hashing code is copied into this repo).
{
  'targets': [
    {
      'target_name': 'lsmkv',
      'sources': [
        'native/addon.cc',
        'native/args.cc',
        'native/block-decode.cc',
        'native/block-encode.cc',
        'native/block-io.cc',
        'native/bloom.cc',
        'native/checksum.cc',
        'native/scan-merge.cc',
        'native/snappy.cc',
        'native/snappy-binding.cc',
        'native/skiplist-link.cc',
        'native/skiplist-stage.cc',
      ],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('xxhash-addon/package.json')), 'xxHash')\")",
      ],
      'defines': ['NAPI_DISABLE_CPP_EXCEPTIONS', 'NAPI_VERSION=8'],
      'cflags!': ['-fexceptions'],
      'cflags_cc!': ['-fexceptions'],
      'cflags': ['-fno-exceptions', '-Wall', '-Wextra'],
      'cflags_cc': ['-fno-exceptions', '-std=c++17', '-Wall', '-Wextra'],
      'configurations': {
        'Release': {
          'cflags!': ['-O2', '-Os'],
          'cflags_cc!': ['-O2', '-Os'],
          'cflags': ['-O3'],
          'cflags_cc': ['-O3'],
        },
      },
      'xcode_settings': {
        'GCC_ENABLE_CPP_EXCEPTIONS': 'NO',
        'GCC_OPTIMIZATION_LEVEL': '3',
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
      },
      'msvs_settings': {
        'VCCLCompilerTool': { 'ExceptionHandling': 0, 'Optimization': 2 },
      },
    },
  ],
}
