//! Dependency order: a stable topological sort.

/// Returns the indices `0..n` so that every item comes after the items it depends on, keeping
/// the given order wherever dependencies allow. `deps[i]` lists the indices item `i` needs.
/// A cycle is broken by taking the earliest remaining item.
pub fn topological(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut done = vec![false; n];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let next = (0..n)
            .find(|&i| !done[i] && deps[i].iter().all(|&d| d == i || d >= n || done[d]))
            .or_else(|| (0..n).find(|&i| !done[i]))
            .expect("an item remains");
        done[next] = true;
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_honours_dependencies() {
        assert_eq!(topological(&[vec![], vec![], vec![]]), vec![0, 1, 2]);
        assert_eq!(topological(&[vec![2], vec![], vec![]]), vec![1, 2, 0]);
        assert_eq!(topological(&[vec![1], vec![0]]), vec![0, 1]);
        assert_eq!(topological(&[vec![0]]), vec![0]);
    }
}
