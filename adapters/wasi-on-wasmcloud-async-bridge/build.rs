//! Links the bridge as a wit-component adapter must be linked: the guest's memory is
//! imported, there is no stack of its own, and the globals come from the runtime's
//! intrinsics object.

fn main() {
    let Ok(object) = std::env::var("DEP_MSGBRIDGE_BRIDGE_INTRINSICS_OBJECT") else {
        eprintln!("error: msgbridge-bridge-runtime did not report its intrinsics object");
        std::process::exit(1);
    };
    println!("cargo:rustc-link-arg-cdylib={object}");
    println!("cargo:rustc-link-arg-cdylib=--import-memory");
    println!("cargo:rustc-link-arg-cdylib=-zstack-size=0");
    println!("cargo:rerun-if-changed=build.rs");
}
