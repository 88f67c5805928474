{
  "targets": [
    {
      "target_name": "daemontools",
      "sources": [
        "native/binding.cc",
        "native/errno.cc",
        "native/watch.cc",
        "native/exec.cc",
        "native/creds.cc",
        "native/rlimit.cc",
        "native/lock.cc",
        "native/fifo.cc",
        "native/fd.cc",
        "native/dir.cc",
        "native/proc.cc",
        "native/sock.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": { "CLANG_CXX_LANGUAGE_STANDARD": "c++17", "MACOSX_DEPLOYMENT_TARGET": "11.0" }
    },
    {
      "target_name": "dt-launch",
      "type": "executable",
      "sources": ["native/launcher.c", "native/stub.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2", "<!@(node scripts/static-ldflags.cjs --compile)"],
      "ldflags": ["<!@(node scripts/static-ldflags.cjs)"]
    },
    {
      "target_name": "dt-gate",
      "type": "executable",
      "sources": ["native/gate.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "dt-group",
      "type": "executable",
      "sources": ["native/group.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"]
    }
  ],
  "conditions": [
    ["OS=='linux'", {
      "targets": [
        {
          "target_name": "dt-keeper",
          "type": "executable",
          "sources": ["native/keeper.c"],
          "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"]
        },
        {
          "target_name": "dt-sigshim",
          "type": "shared_library",
          "product_prefix": "",
          "sources": ["native/sigshim.c"],
          "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2", "-ffreestanding", "-fno-stack-protector", "-fno-builtin"],
          "ldflags": ["-nostdlib"]
        }
      ]
    }]
  ]
}
